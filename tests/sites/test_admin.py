"""The admin's site form works and its map widget loads no CDN assets."""

import pytest
from django.contrib.auth.models import User

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
