"""Who may create, edit, delete and publish each kind of record: every role against every path."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from access.models import ProposedChange
from remediation.models import Evidence, Hazard, MonitoringVisit, RemediationMeasure
from tests.conftest import make_site
from tests.remediation.conftest import make_hazard, make_measure, make_visit, png_bytes

pytestmark = pytest.mark.django_db

MODELS = {"hazards": Hazard, "measures": RemediationMeasure, "visits": MonitoringVisit, "evidence": Evidence}
ACTORS = ["anonymous", "officer", "foreign_officer", "reviewer"]


@pytest.fixture
def people(officer, foreign_officer, reviewer):
    return {"anonymous": None, "officer": officer, "foreign_officer": foreign_officer, "reviewer": reviewer}


@pytest.fixture
def site(db):
    return make_site(name="Sangihe pit", country="ID")


def form_data(kind: str, site) -> dict:
    if kind == "hazards":
        return {"hazard_type": "adit", "priority": "2", "status": "unaddressed"}
    if kind == "measures":
        return {"measure_type": "fencing_signage", "stage": "planned"}
    if kind == "visits":
        return {"visited_on": "2025-04-01", "readings-TOTAL_FORMS": "0", "readings-INITIAL_FORMS": "0"}
    hazard = make_hazard(site, hazard_type="adit")
    return {
        "attached_to": f"hazard:{hazard.pk}",
        "caption": "Adit entrance",
        "file": SimpleUploadedFile("adit.png", png_bytes(), "image/png"),
    }


def make_record(kind: str, site, **fields):
    if kind == "hazards":
        return make_hazard(site, **fields)
    if kind == "measures":
        return make_measure(site, **fields)
    if kind == "visits":
        return make_visit(site, **fields)
    return Evidence.objects.create(
        site=site,
        hazard=make_hazard(site),
        kind="photo",
        file="evidence/x.png",
        content_type="image/png",
        size_bytes=10,
        caption="Shaft",
        **fields,
    )


def refused(response) -> bool:
    """A refusal: 403, or a redirect to the sign-in page for people not signed in."""
    if response.status_code == 302:
        return response["Location"].startswith("/accounts/login/")
    return response.status_code == 403


def sign_in(client, people, actor):
    if people[actor] is not None:
        client.force_login(people[actor])


CREATE_ALLOWED = {"officer"}


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("actor", ACTORS)
def test_create(client, people, site, kind, actor):
    sign_in(client, people, actor)
    url = (
        f"/remediation/sites/{site.pk}/evidence/new/"
        if kind == "evidence"
        else f"/remediation/sites/{site.pk}/{kind}/new/"
    )
    data = form_data(kind, site)
    before = MODELS[kind].objects.count()
    response = client.post(url, data)
    if actor in CREATE_ALLOWED:
        assert response.status_code == 302 and response["Location"].startswith(f"/en/sites/{site.pk}/")
        created = MODELS[kind].objects.latest("id")
        assert MODELS[kind].objects.count() == before + 1
        assert created.is_published is False and created.created_by == people[actor]
    else:
        assert refused(response)
        assert MODELS[kind].objects.count() == before


@pytest.mark.parametrize("kind", ["hazards", "measures", "visits"])
@pytest.mark.parametrize("actor", ACTORS)
def test_edit(client, people, site, kind, actor):
    record = make_record(kind, site, is_published=True)
    sign_in(client, people, actor)
    data = form_data(kind, site)
    response = client.post(f"/remediation/{kind}/{record.pk}/edit/", data)
    record.refresh_from_db()
    if actor == "officer":
        # The edit of a published record waits for a reviewer; the public keeps the published record.
        assert response.status_code == 302
        assert record.is_published is True and record.history.count() == 1
        assert ProposedChange.objects.filter(object_id=record.pk, author=people["officer"]).exists()
    else:
        assert refused(response)
        assert record.is_published is True and record.history.count() == 1


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("actor", ACTORS)
def test_delete_draft(client, people, site, kind, actor):
    record = make_record(kind, site)
    sign_in(client, people, actor)
    response = client.post(f"/remediation/{kind}/{record.pk}/delete/")
    exists = MODELS[kind].objects.filter(pk=record.pk).exists()
    if actor == "officer":
        assert response.status_code == 302 and not exists
    else:
        assert refused(response) and exists


@pytest.mark.parametrize("kind", list(MODELS))
def test_officer_cannot_delete_what_is_published(client, officer, site, kind):
    record = make_record(kind, site, is_published=True)
    client.force_login(officer)
    response = client.post(f"/remediation/{kind}/{record.pk}/delete/", follow=True)
    assert MODELS[kind].objects.filter(pk=record.pk).exists()
    assert "a reviewer must unpublish it" in response.content.decode()


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("actor", ACTORS)
def test_publish(client, people, site, kind, actor):
    record = make_record(kind, site)
    sign_in(client, people, actor)
    response = client.post(f"/remediation/{kind}/{record.pk}/publish/", {"action": "publish"})
    record.refresh_from_db()
    if actor == "reviewer":
        assert response.status_code == 302 and record.is_published is True
    else:
        assert refused(response) and record.is_published is False


def test_reviewer_of_another_country_cannot_publish(client, site):
    from access.models import Role
    from tests.remediation.conftest import make_member

    record = make_measure(site)
    client.force_login(make_member("reviewer-ph", Role.REVIEWER, "PH"))
    assert client.post(f"/remediation/measures/{record.pk}/publish/").status_code == 403
    record.refresh_from_db()
    assert record.is_published is False


@pytest.mark.parametrize("actor", ACTORS)
def test_priority_approval_and_sign_off_are_for_reviewers(client, people, site, actor):
    import datetime

    hazard = make_hazard(site)
    measure = make_measure(
        site, stage="completed", actual_start=datetime.date(2024, 1, 1), actual_end=datetime.date(2024, 6, 1)
    )
    sign_in(client, people, actor)
    approve = client.post(f"/remediation/hazards/{hazard.pk}/approve-priority/")
    sign_off = client.post(f"/remediation/measures/{measure.pk}/sign-off/")
    hazard.refresh_from_db()
    measure.refresh_from_db()
    if actor == "reviewer":
        assert hazard.priority_is_approved and hazard.priority_approved_by == people["reviewer"]
        assert measure.signed_off_by == people["reviewer"] and measure.signed_off_at
    else:
        assert refused(approve) and refused(sign_off)
        assert not hazard.priority_is_approved and measure.signed_off_at is None


def test_officer_cannot_move_a_record_into_a_site_of_another_country(client, officer, site):
    """The form has no site field; a crafted site in the POST is ignored."""
    other = make_site(name="Philippine pit", country="PH")
    hazard = make_hazard(site)
    client.force_login(officer)
    client.post(f"/remediation/hazards/{hazard.pk}/edit/", {**form_data("hazards", site), "site": other.pk})
    hazard.refresh_from_db()
    assert hazard.site == site


@pytest.mark.parametrize("actor", ACTORS)
def test_dashboard_is_for_officers_and_reviewers(client, people, actor):
    sign_in(client, people, actor)
    response = client.get("/remediation/dashboard/")
    if actor == "anonymous":
        assert refused(response)
    else:
        assert response.status_code == 200


def test_dashboard_refuses_people_without_a_remediation_role(client):
    from access.models import Role
    from tests.remediation.conftest import make_member

    client.force_login(make_member("uploader", Role.SURVEY_UPLOADER, "ID"))
    assert client.get("/remediation/dashboard/").status_code == 403


def test_officers_record_only_on_sites_they_can_see(client, officer):
    hidden = make_site(name="Unpublished pit", country="ID", is_published=False)
    client.force_login(officer)
    response = client.post(f"/remediation/sites/{hidden.pk}/hazards/new/", form_data("hazards", hidden))
    assert response.status_code == 404
    assert not Hazard.objects.exists()
