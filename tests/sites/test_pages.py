"""Public pages: the map, the list and a site, with filters in the URL and clear refusals."""

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.db import connection

from sites.models import MineSite, SiteStatus
from tests.conftest import make_site

pytestmark = pytest.mark.django_db


def test_map_counts_published_sites_only_and_draws_them_from_tiles(client):
    make_site(name="Published Pit")
    make_site(name="Draft Pit", is_published=False)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["site_count"] == 1
    script = response.context["map"].script
    assert '"/tiles/sites/{z}/{x}/{y}.pbf"' in script
    assert "Published Pit" not in script and "Draft Pit" not in script


def test_map_tiles_carry_the_filters_of_the_page(client):
    make_site()
    script = client.get("/?status=closed&country=ID").context["map"].script
    assert '"/tiles/sites/{z}/{x}/{y}.pbf?country=ID\\u0026status=closed"' in script  # & escaped for <script>


def test_map_page_weighs_the_same_for_2000_sites_as_for_2(client):
    make_site(name="First")
    make_site(name="Second")
    small = len(client.get("/").content)
    MineSite.objects.bulk_create(
        MineSite(
            name=f"Pit {number}",
            country="ID",
            status="active",
            location=Point(110 + number / 100, -2),
            is_published=True,
        )
        for number in range(1998)
    )
    large = client.get("/")
    assert large.context["site_count"] == 2000
    assert abs(len(large.content) - small) <= 16  # the digits of the count; ids in element names are hashes


def test_map_filters_live_in_the_url(client):
    make_site(name="Active one", status=SiteStatus.ACTIVE, country="ID")
    make_site(name="Closed one", status=SiteStatus.CLOSED, country="ID")
    make_site(name="Philippine one", status=SiteStatus.CLOSED, country="PH", commodities=["gold"])
    assert client.get("/?status=closed").context["site_count"] == 2
    assert client.get("/?status=closed&country=ID").context["site_count"] == 1
    assert client.get("/?commodity=gold").context["site_count"] == 1


def test_map_uses_only_local_assets(client):
    make_site()
    html = client.get("/").content.decode()
    assert "/static/vendor/leaflet/leaflet.js" in html
    for cdn in ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com", "unpkg.com", "bootstrapcdn"):
        assert cdn not in html


@pytest.mark.parametrize("url", ["/?status=flooded", "/?country=US", "/sites/?commodity=unobtainium"])
def test_unknown_filter_values_get_a_clear_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "is not a known value for this filter" in response.content.decode()


def test_site_summary_for_a_click_on_the_map(client):
    site = make_site(name="Click Pit", commodities=["nickel", "cobalt"])
    summary = client.get(f"/sites/{site.pk}.json").json()
    assert summary == {
        "id": site.pk,
        "name": "Click Pit",
        "display_name": "Click Pit",
        "status": "active",
        "status_label": "Active",
        "country": "Indonesia",
        "commodities": ["Nickel", "Cobalt"],
        "url": f"/en/sites/{site.pk}/",
    }


def test_site_summary_of_a_draft_is_hidden_from_the_public(client):
    draft = make_site(is_published=False)
    assert client.get(f"/sites/{draft.pk}.json").status_code == 404


def test_list_searches_and_paginates(client):
    for number in range(60):
        make_site(name=f"Pit {number:02d}", operator="PT Example" if number < 3 else "Other Co")
    first = client.get("/sites/")
    assert first.status_code == 200
    assert first.context["page"].count == 60
    assert len(first.context["page"].sites) == 50
    second = client.get("/sites/" + first.context["links"].next)
    assert [site.name for site in second.context["page"].sites] == [f"Pit {number}" for number in range(50, 60)]
    assert client.get("/sites/?q=pt+example").context["page"].count == 3
    assert client.get("/sites/?q=pit+07").context["page"].count == 1


def test_list_search_finds_alternative_names(client):
    make_site(name="Batu Hijau", alternative_names=["Newmont Nusa Tenggara"])
    assert client.get("/sites/?q=nusa").context["page"].count == 1


def test_empty_list_says_so(client):
    response = client.get("/sites/?country=SG")
    assert "No site matches these filters" in response.content.decode()


def test_site_page_shows_attributes_provenance_and_history(client):
    site = make_site(
        name="Grasberg-like", source_record_id="G-1", source_status="operating", quality_flags=["outside_land"]
    )
    site.status = SiteStatus.CLOSED
    site.save()
    response = client.get(f"/sites/{site.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Grasberg-like" in html and "G-1" in html
    assert "outside the country outlines" in html
    assert "Changed: status" in html


def test_history_shows_who_only_to_staff(client):
    editor = User.objects.create_user("editor", password="pw", is_staff=True)
    site = make_site()
    site.status = SiteStatus.CLOSED
    site._history_user = editor
    site.save()
    assert "by editor" not in client.get(f"/sites/{site.pk}/").content.decode()
    client.force_login(editor)
    assert "by editor" in client.get(f"/sites/{site.pk}/").content.decode()


def test_unknown_site_is_404(client):
    assert client.get("/sites/987654/").status_code == 404


def test_draft_site_is_hidden_from_the_public_but_not_from_staff(client):
    draft = make_site(is_published=False)
    assert client.get(f"/sites/{draft.pk}/").status_code == 404
    client.force_login(User.objects.create_user("reviewer", password="pw", is_staff=True))
    assert client.get(f"/sites/{draft.pk}/").status_code == 200


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_does_not(client):
    real_name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = "no_such_database_for_health_check"
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = real_name
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
