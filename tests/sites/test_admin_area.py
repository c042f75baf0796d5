"""A site's admin area comes from its country's published boundary layers; a person may override it with a reason."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.contrib.gis.geos import Point
from django.core.management import call_command

from access.models import Membership, Role
from access.publishing import OPERATOR, publish
from geodata.boundaries import mark_boundaries
from geodata.ingest import ingest_layer
from geodata.models import Layer, LayerStatus
from sites.models import MineSite
from tests.api.conftest import make_user, token_client
from tests.conftest import make_site

pytestmark = pytest.mark.django_db

BOUNDARIES = Path(__file__).resolve().parent.parent / "data" / "boundaries"
COARSE = BOUNDARIES / "kalimantan_admin_areas_coarse.gpkg"
REVISED = BOUNDARIES / "kalimantan_admin_areas_revised.geojson"

SAMARINDA = Point(117.15, -0.50, srid=4326)  # in Kalimantan Timur and in Kutai Kartanegara drawn over it
BALIKPAPAN = Point(116.85, -1.25, srid=4326)  # in Kalimantan Timur only
BANJARMASIN = Point(114.59, -3.32, srid=4326)  # in Kalimantan Selatan
MAKASSAR_STRAIT = Point(118.9, -3.0, srid=4326)  # at sea: no area


@pytest.fixture
def uploader():
    return make_user("uploader-id", ("ID", Role.SURVEY_UPLOADER))


@pytest.fixture
def reviewer():
    return make_user("reviewer-id", ("ID", Role.REVIEWER))


def boundary_layer(path: Path = COARSE, *, by, published: bool = True, country: str = "ID", title="Admin areas"):
    """A boundary layer imported from a real file, marked by its uploader, and (by default) published."""
    layer = Layer.objects.create(title=title, country=country, theme="boundaries")
    ingest_layer(layer, path)
    assert layer.status == LayerStatus.READY, layer.report
    mark_boundaries(layer=layer, by=by, name_field="name")
    if published:
        publish(layer, by=OPERATOR)
    return layer


def areas() -> dict[str, tuple[str, bool]]:
    return {
        name: (area, derived)
        for name, area, derived in MineSite.objects.values_list("name", "admin_area", "admin_area_is_derived")
    }


NEW_SITE = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [117.15, -0.50]},
    "properties": {"name": "Samarinda pit", "country": "ID", "status": "active"},
}


# --- derived on save and import ------------------------------------------------------------------------


def test_a_site_saved_through_the_api_takes_the_smallest_area_around_it(uploader):
    boundary_layer(by=uploader)
    client = token_client(uploader)
    assert client.post("/api/sites/", NEW_SITE, format="json").status_code == 201
    moved = {**NEW_SITE, "geometry": {"type": "Point", "coordinates": [116.85, -1.25]}}
    moved["properties"] = {**NEW_SITE["properties"], "name": "Balikpapan pit"}
    assert client.post("/api/sites/", moved, format="json").status_code == 201
    assert areas() == {
        "Samarinda pit": ("Kutai Kartanegara", True),
        "Balikpapan pit": ("Kalimantan Timur", True),
    }


def test_moving_a_site_gives_it_the_area_of_its_new_place(uploader):
    boundary_layer(by=uploader)
    client = token_client(uploader)
    site_id = client.post("/api/sites/", NEW_SITE, format="json").json()["id"]
    moved = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.59, -3.32]}, "properties": {}}
    assert client.patch(f"/api/sites/{site_id}/", moved, format="json").status_code == 200
    assert areas()["Samarinda pit"] == ("Kalimantan Selatan", True)


def test_an_imported_inventory_takes_its_areas_and_a_typed_one_outside_every_boundary_stays(tmp_path, uploader):
    boundary_layer(by=uploader)
    path = tmp_path / "inventory.csv"
    path.write_text(
        "site_id,name,country,status,lon,lat,province\n"
        "1,Samarinda pit,ID,active,117.15,-0.50,Kaltim\n"
        "2,Banjarmasin pit,ID,active,114.59,-3.32,\n"
        "3,Offshore dredge,ID,active,118.9,-3.0,Selat Makassar\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_sites", str(path), stdout=out)
    assert json.loads(out.getvalue()[: out.getvalue().rindex("}") + 1])["created"] == 3
    assert areas() == {
        "Samarinda pit": ("Kutai Kartanegara", True),
        "Banjarmasin pit": ("Kalimantan Selatan", True),
        "Offshore dredge": ("Selat Makassar", False),
    }


# --- recomputed when a boundary layer is published, withdrawn or imported again --------------------------


def test_publishing_a_boundary_layer_on_its_page_names_every_site_of_the_country_and_withdrawing_clears(
    client, uploader, reviewer
):
    make_site(name="Samarinda pit", location=SAMARINDA)
    make_site(name="Banjarmasin pit", location=BANJARMASIN, is_published=False)
    make_site(name="Typed pit", location=MAKASSAR_STRAIT, admin_area="Selat Makassar")
    make_site(name="Sulawesi pit", country="PH", location=SAMARINDA, admin_area="Elsewhere")  # another country
    layer = boundary_layer(by=uploader, published=False)
    assert areas()["Samarinda pit"] == ("", False)  # a draft layer names nothing

    client.force_login(reviewer)
    client.post(f"/layers/{layer.pk}/publish/", {"is_published": "on"})
    assert areas() == {
        "Samarinda pit": ("Kutai Kartanegara", True),
        "Banjarmasin pit": ("Kalimantan Selatan", True),
        "Typed pit": ("Selat Makassar", False),
        "Sulawesi pit": ("Elsewhere", False),
    }

    client.post(f"/layers/{layer.pk}/publish/", {})
    layer.refresh_from_db()
    assert not layer.is_published
    assert areas() == {
        "Samarinda pit": ("", False),
        "Banjarmasin pit": ("", False),
        "Typed pit": ("Selat Makassar", False),
        "Sulawesi pit": ("Elsewhere", False),
    }


def test_a_draft_boundary_layer_names_no_site(uploader):
    boundary_layer(by=uploader, published=False)
    site = make_site(name="Samarinda pit", location=SAMARINDA)
    token_client(uploader).patch(f"/api/sites/{site.pk}/", {"properties": {"operator": "PT X"}}, format="json")
    assert areas()["Samarinda pit"] == ("", False)


def test_a_re_import_of_the_layer_renames_the_sites_areas(uploader):
    layer = boundary_layer(by=uploader)
    make_site(name="Balikpapan pit", location=BALIKPAPAN)
    from sites.admin_areas import update_admin_areas

    update_admin_areas(country="ID")
    assert areas()["Balikpapan pit"] == ("Kalimantan Timur", True)
    ingest_layer(layer, REVISED)
    assert areas()["Balikpapan pit"] == ("Kalimantan Timur (revised)", True)


def test_the_layer_published_last_wins_where_two_cover_a_site(uploader):
    make_site(name="Balikpapan pit", location=BALIKPAPAN)
    boundary_layer(REVISED, by=uploader, title="Revised provinces")
    assert areas()["Balikpapan pit"] == ("Kalimantan Timur (revised)", True)
    boundary_layer(COARSE, by=uploader, title="Provinces and regencies")
    assert areas()["Balikpapan pit"] == ("Kalimantan Timur", True)


def test_unmarking_a_published_layer_takes_its_names_away(uploader):
    layer = boundary_layer(by=uploader)
    make_site(name="Balikpapan pit", location=BALIKPAPAN)
    from sites.admin_areas import update_admin_areas

    update_admin_areas(country="ID")
    mark_boundaries(layer=layer, by=uploader, name_field="")
    assert areas()["Balikpapan pit"] == ("", False)


# --- typed by hand ------------------------------------------------------------------------------------


def test_an_override_with_a_reason_is_kept_through_saves_and_republishing(uploader):
    layer = boundary_layer(by=uploader)
    client = token_client(uploader)
    site_id = client.post("/api/sites/", NEW_SITE, format="json").json()["id"]
    override = {"admin_area": "Kota Samarinda", "admin_area_override_reason": "The city, not the regency around it."}
    response = client.patch(f"/api/sites/{site_id}/", {"properties": override}, format="json")
    assert response.status_code == 200, response.json()
    client.patch(f"/api/sites/{site_id}/", {"properties": {"operator": "PT Y"}}, format="json")
    publish(layer, by=OPERATOR, published=False)
    publish(layer, by=OPERATOR)
    assert areas()["Samarinda pit"] == ("Kota Samarinda", False)
    site = MineSite.objects.get(pk=site_id)
    assert site.history.first().admin_area_override_reason == "The city, not the regency around it."


def test_an_override_without_a_reason_is_refused_with_a_clear_error(uploader):
    boundary_layer(by=uploader)
    client = token_client(uploader)
    site_id = client.post("/api/sites/", NEW_SITE, format="json").json()["id"]
    response = client.patch(f"/api/sites/{site_id}/", {"properties": {"admin_area": "Kota Samarinda"}}, format="json")
    assert response.status_code == 400
    (message,) = response.json()["fields"]["admin_area"]
    assert "place the site in “Kutai Kartanegara”" in message and "reason" in message
    assert areas()["Samarinda pit"] == ("Kutai Kartanegara", True)


def test_the_admin_form_refuses_an_override_without_a_reason_and_keeps_one_with_it(client, uploader):
    boundary_layer(by=uploader)
    # A draft: an uploader's change to a published site would wait for a reviewer (access.proposals).
    site = make_site(name="Samarinda pit", location=SAMARINDA, is_published=False)
    from sites.admin_areas import update_admin_areas

    update_admin_areas(site_ids=[site.pk])
    clerk = User.objects.create_user("admin-uploader", password="pw", is_staff=True)
    Membership.objects.create(user=clerk, role=Role.SURVEY_UPLOADER, country="ID")
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["change_minesite", "view_minesite"]))
    client.force_login(clerk)
    form = {
        "name": "Samarinda pit",
        "country": "ID",
        "status": "active",
        "mine_type": "unknown",
        "commodities": ["nickel"],
        "location": '{"type": "Point", "coordinates": [13041000, -55660]}',  # Samarinda, in Web Mercator metres
        "licence_type": "unknown",
        "responsible_party_kind": "unknown",
        "admin_area": "Kota Samarinda",
        "resource_estimates-TOTAL_FORMS": "0",
        "resource_estimates-INITIAL_FORMS": "0",
    }
    refused = client.post(f"/admin/sites/minesite/{site.pk}/change/", form)
    assert refused.status_code == 200
    assert "place the site in “Kutai Kartanegara”" in refused.content.decode()
    assert areas()["Samarinda pit"] == ("Kutai Kartanegara", True)
    kept = client.post(
        f"/admin/sites/minesite/{site.pk}/change/", {**form, "admin_area_override_reason": "City limits."}
    )
    assert kept.status_code == 302
    assert areas()["Samarinda pit"] == ("Kota Samarinda", False)


# --- marking a layer as boundaries on its page ------------------------------------------------------------


def test_the_layers_uploader_marks_it_as_boundaries_on_its_page(client, uploader):
    layer = Layer.objects.create(title="Admin areas", country="ID", theme="boundaries")
    ingest_layer(layer, COARSE)
    client.force_login(uploader)
    page = client.get(f"/layers/{layer.pk}/").content.decode()
    assert 'name="boundary_name_field"' in page and '<option value="name">' in page
    client.post(f"/layers/{layer.pk}/boundaries/", {"boundary_name_field": "name"})
    layer.refresh_from_db()
    assert layer.boundary_name_field == "name"
    refused = client.post(f"/layers/{layer.pk}/boundaries/", {"boundary_name_field": "PROVINSI"}, follow=True)
    assert "This layer has no attribute “PROVINSI”; choose one of: name, level, code." in refused.content.decode()
    layer.refresh_from_db()
    assert layer.boundary_name_field == "name"


@pytest.mark.parametrize(
    "roles, status",
    [
        ((("ID", Role.REVIEWER),), 403),  # reviewers publish the layer; its uploaders describe it
        ((("PH", Role.SURVEY_UPLOADER),), 404),  # a draft of another country is not even seen
        ((("ID", Role.ENVIRONMENTAL_OFFICER),), 404),
    ],
)
def test_only_the_countrys_uploaders_mark_a_layer(client, roles, status):
    layer = Layer.objects.create(title="Admin areas", country="ID", theme="boundaries")
    ingest_layer(layer, COARSE)
    client.force_login(make_user("someone", *roles))
    assert client.post(f"/layers/{layer.pk}/boundaries/", {"boundary_name_field": "name"}).status_code == status
    layer.refresh_from_db()
    assert layer.boundary_name_field == ""


def test_anonymous_cannot_mark_a_layer_and_get_is_not_allowed(client, uploader):
    layer = boundary_layer(by=uploader, published=True)
    mark_boundaries(layer=layer, by=uploader, name_field="")
    response = client.post(f"/layers/{layer.pk}/boundaries/", {"boundary_name_field": "name"})
    assert response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL)
    client.force_login(uploader)
    assert client.get(f"/layers/{layer.pk}/boundaries/").status_code == 405
    layer.refresh_from_db()
    assert layer.boundary_name_field == ""


def test_a_published_boundary_layer_replaced_by_a_new_version_renames_the_areas_once_published(uploader, reviewer):
    """The new file waits for a reviewer; the sites keep the published areas until then."""
    from geodata.services import IngestOptions
    from geodata.versions import change_layer_from_path, publish_change

    layer = boundary_layer(by=uploader)
    make_site(name="Balikpapan pit", location=BALIKPAPAN)
    from sites.admin_areas import update_admin_areas

    update_admin_areas(country="ID")
    _change, outcome = change_layer_from_path(
        REVISED, layer=layer, by=uploader, kind="replace", options=IngestOptions(srid=None, encoding="", layer_name="")
    )
    assert outcome == "waiting"
    assert areas()["Balikpapan pit"] == ("Kalimantan Timur", True)
    publish_change(layer=layer, by=reviewer)
    assert areas()["Balikpapan pit"] == ("Kalimantan Timur (revised)", True)
