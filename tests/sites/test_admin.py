"""The admin's site form works and its map widget loads no CDN assets."""

import pytest
from django.contrib.auth.models import Permission, User

from access.models import Membership, Role
from sites.models import MineSite
from tests.conftest import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "pw"))
    return client


def test_site_change_form_has_a_local_map_widget(admin_client):
    site = make_site()
    html = admin_client.get(f"/admin/sites/minesite/{site.pk}/change/").content.decode()
    assert "/static/vendor/ol/ol.js" in html
    assert "cdn.jsdelivr.net" not in html


def test_site_history_page_lists_changes(admin_client):
    site = make_site()
    site.name = "Renamed"
    site.save()
    response = admin_client.get(f"/admin/sites/minesite/{site.pk}/history/")
    assert response.status_code == 200
    assert "Renamed" in response.content.decode()


def test_admin_refuses_the_public(client):
    response = client.get("/admin/sites/minesite/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_search_finds_parts_of_names_and_whole_source_ids_along_the_lists_indexes(admin_client):
    make_site(name="Batu Hijau", source_record_id="M0134")
    make_site(name="Grasberg", operator="PT Freeport Indonesia", source_record_id="M0999")

    def found(q: str) -> list[str]:
        changelist = admin_client.get("/admin/sites/minesite/", {"q": q}).context["cl"]
        return [site.name for site in changelist.result_list]

    assert found("hijau") == ["Batu Hijau"]
    assert found("freeport") == ["Grasberg"]
    assert found("m0134") == ["Batu Hijau"]
    assert found("M01") == []  # a source id is matched whole, as the public list matches it


def test_the_site_form_cannot_publish_and_the_action_publishes_through_the_reviewer_rule(client):
    draft = make_site(name="Draft pit", is_published=False)  # in Indonesia
    clerk = User.objects.create_user("clerk", password="pw", is_staff=True, is_superuser=False)
    Membership.objects.create(user=clerk, role=Role.REVIEWER, country="VN")
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_minesite", "change_minesite"]))
    client.force_login(clerk)
    client.post("/admin/sites/minesite/", {"action": "publish_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_published is False

    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "pw"))
    client.post("/admin/sites/minesite/", {"action": "publish_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_published is True
    assert draft.history.first().history_user.username == "admin"


def test_an_uploader_adds_a_site_in_the_admin_as_a_draft_they_created(client):
    uploader = User.objects.create_user("uploader", password="pw", is_staff=True)
    Membership.objects.create(user=uploader, role=Role.SURVEY_UPLOADER, country="ID")
    uploader.user_permissions.add(*Permission.objects.filter(codename__in=["add_minesite", "view_minesite"]))
    client.force_login(uploader)
    response = client.post(
        "/admin/sites/minesite/add/",
        {
            "name": "Admin pit",
            "country": "ID",
            "status": "abandoned",
            "mine_type": "unknown",
            "location": '{"type": "Point", "coordinates": [120.5, -2.5]}',
            "resource_estimates-TOTAL_FORMS": "0",
            "resource_estimates-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    site = MineSite.objects.get(name="Admin pit")
    assert (site.is_published, site.created_by, site.history.first().history_user) == (False, uploader, uploader)


def test_staff_without_the_uploader_role_read_a_site_in_the_admin_but_do_not_change_it(client):
    site = make_site(name="Kept pit")
    clerk = User.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_minesite", "change_minesite"]))
    client.force_login(clerk)
    assert client.get(f"/admin/sites/minesite/{site.pk}/change/").status_code == 200
    client.post(f"/admin/sites/minesite/{site.pk}/change/", {"name": "Renamed pit", "country": "ID"})
    site.refresh_from_db()
    assert site.name == "Kept pit"


def test_the_admin_checks_a_drawn_location_as_the_pages_and_the_api_do(admin_client):
    site = make_site(name="Checked pit")
    response = admin_client.post(
        f"/admin/sites/minesite/{site.pk}/change/",
        {
            "name": "Checked pit",
            "country": "ID",
            "status": "active",
            "mine_type": "unknown",
            "location": '{"type": "Point", "coordinates": [13525318, -278298]}',  # the widget's Web Mercator metres
            # A footprint drawn as a line folded back on itself: no area, so no repair keeps it a polygon.
            "footprint": '{"type": "MultiPolygon", "coordinates": [[[[13525318, -278298], [13526318, -278298], '
            "[13527318, -278298], [13525318, -278298]]]]}",
            "resource_estimates-TOTAL_FORMS": "0",
            "resource_estimates-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "The shape is not valid" in response.content.decode()
    site.refresh_from_db()
    assert site.footprint is None
