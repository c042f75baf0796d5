"""The admin follows the same country rules as the pages."""

import pytest

from access.models import Role
from tests.conftest import make_site
from tests.remediation.conftest import make_hazard, make_measure, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_officer():
    return make_member("staff-officer", Role.ENVIRONMENTAL_OFFICER, "ID", is_staff=True)


@pytest.fixture
def sites():
    return make_site(name="Indonesian pit", country="ID"), make_site(name="Philippine pit", country="PH")


def test_officer_lists_only_records_of_their_country(client, staff_officer, sites):
    indonesian, philippine = sites
    make_measure(indonesian, contractor="PT Hijau")
    make_measure(philippine, contractor="Benguet Earthworks")
    client.force_login(staff_officer)
    html = client.get("/admin/remediation/remediationmeasure/").content.decode()
    assert "Indonesian pit" in html and "Philippine pit" not in html


def test_officer_cannot_open_or_change_a_record_of_another_country(client, staff_officer, sites):
    hazard = make_hazard(sites[1], notes="original")
    client.force_login(staff_officer)
    assert client.get(f"/admin/remediation/hazard/{hazard.pk}/change/").status_code in (302, 403, 404)
    client.post(f"/admin/remediation/hazard/{hazard.pk}/change/", {"notes": "changed"})
    hazard.refresh_from_db()
    assert hazard.notes == "original"


def test_officer_cannot_publish_through_the_admin(client, staff_officer, sites):
    hazard = make_hazard(sites[0])
    client.force_login(staff_officer)
    response = client.post(
        f"/admin/remediation/hazard/{hazard.pk}/change/",
        {"site": sites[0].pk, "hazard_type": "adit", "priority": "1", "status": "unaddressed", "is_published": "on"},
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.hazard_type == "adit" and hazard.is_published is False


def test_officer_cannot_delete_published_records_in_the_admin(client, staff_officer, sites):
    hazard = make_hazard(sites[0], is_published=True)
    client.force_login(staff_officer)
    client.post(f"/admin/remediation/hazard/{hazard.pk}/delete/", {"post": "yes"})
    assert hazard.__class__.objects.filter(pk=hazard.pk).exists()


def test_staff_without_a_role_see_no_remediation_records(client, sites):
    from django.contrib.auth.models import User

    make_measure(sites[0])
    client.force_login(User.objects.create_user("clerk", password="pw", is_staff=True))
    assert client.get("/admin/remediation/remediationmeasure/").status_code == 403
    assert "Remediation measures" not in client.get("/admin/").content.decode()


def test_admin_explains_a_stage_jump_instead_of_failing(client, staff_officer, sites):
    measure = make_measure(sites[0], stage="planned")
    client.force_login(staff_officer)
    response = client.post(
        f"/admin/remediation/remediationmeasure/{measure.pk}/change/",
        {"site": sites[0].pk, "measure_type": "backfilling", "stage": "works"},
    )
    assert response.status_code == 200
    assert "A measure cannot go from “Planned” to this stage" in response.content.decode()
    measure.refresh_from_db()
    assert measure.stage == "planned"
