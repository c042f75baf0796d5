"""The one rule of who sees and publishes drafts, the same for every kind of record and every surface."""

import pytest
from django.contrib.auth.models import User

from access.models import Role
from geodata.models import LayerStatus
from tests.conftest import make_site
from tests.geodata.conftest import make_layer
from tests.remediation.conftest import make_hazard, make_member

pytestmark = pytest.mark.django_db


def draft_layer():
    return make_layer(title="Draft geology", country="ID", status=LayerStatus.READY, is_published=False)


@pytest.mark.parametrize(
    ("role", "country", "sees"),
    [
        (Role.REVIEWER, "ID", True),
        (Role.SURVEY_UPLOADER, "ID", True),
        (Role.REVIEWER, "VN", False),  # once every reviewer saw every country's drafts
        (Role.SURVEY_UPLOADER, "VN", False),
        (Role.ENVIRONMENTAL_OFFICER, "ID", False),  # officers do not work on survey layers
    ],
)
def test_a_draft_layer_is_seen_by_the_roles_of_its_own_country(client, role, country, sees):
    layer = draft_layer()
    client.force_login(make_member("member", role, country))
    assert client.get(f"/layers/{layer.pk}/").status_code == (200 if sees else 404)
    assert client.get(f"/api/layers/{layer.pk}/").status_code == (200 if sees else 404)
    assert client.get(f"/layers/{layer.pk}/features.geojson").status_code == (200 if sees else 404)
    assert client.get(f"/layers/{layer.pk}/download.metadata.json").status_code == (409 if sees else 404)
    assert client.get(f"/tiles/layers/{layer.pk}/3/6/3.pbf").status_code == (200 if sees else 404)


def test_the_public_and_staff_see_draft_layers_as_the_rule_says(client):
    layer = draft_layer()
    assert client.get(f"/layers/{layer.pk}/").status_code == 404
    client.force_login(User.objects.create_user("staff", is_staff=True))
    assert client.get(f"/layers/{layer.pk}/").status_code == 200


def test_a_reviewer_of_another_country_may_not_publish_a_layer(client):
    layer = draft_layer()
    client.force_login(make_member("reviewer-vn", Role.REVIEWER, "VN"))
    client.post(f"/layers/{layer.pk}/publish/", {"is_published": "on"})
    assert client.post(f"/api/layers/{layer.pk}/publish/", {"is_published": True}).status_code in (403, 404)
    layer.refresh_from_db()
    assert layer.is_published is False


def test_a_reviewer_of_the_layers_country_publishes_and_withdraws_it(client):
    layer = draft_layer()
    reviewer = make_member("reviewer-id", Role.REVIEWER, "ID")
    client.force_login(reviewer)
    client.post(f"/layers/{layer.pk}/publish/", {"is_published": "on"})
    layer.refresh_from_db()
    assert layer.is_published is True
    assert layer.history.first().history_user == reviewer
    client.post(f"/layers/{layer.pk}/publish/", {})
    layer.refresh_from_db()
    assert layer.is_published is False


def test_staff_see_draft_hazards_as_they_see_draft_sites(client):
    site = make_site(name="Draft pit", is_published=False)
    hazard = make_hazard(site, is_published=False)
    assert client.get(f"/api/hazards/{hazard.pk}/").status_code == 404
    client.force_login(User.objects.create_user("staff", is_staff=True))
    assert client.get(f"/sites/{site.pk}/").status_code == 200
    assert client.get(f"/api/hazards/{hazard.pk}/").status_code == 200
