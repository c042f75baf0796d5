"""A layer's versions: replacing its data with a new file, appending features, who may, and what the public sees.

The files are real uploads from tests/data/uploads (see its README for their origin). The background
import runs at once in the tests (the immediate task backend), as the worker would run it.
"""

import io

import mapbox_vector_tile
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from access.models import Role
from access.publishing import OPERATOR
from geodata import versions
from geodata.models import Feature, Layer, LayerStatus, LayerVersion
from tests.api.conftest import token_client
from tests.geodata.conftest import UPLOADS
from tests.geodata.test_tiles import tile_of
from tests.remediation.conftest import make_member

pytestmark = pytest.mark.django_db

KML = "geonode_valid.kml"  # 2 points, 15 fields
GPKG = "geonode_invalid_layer_name.gpkg"  # 146 points, 9 fields


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def uploader():
    return make_member("id-uploader", Role.SURVEY_UPLOADER, "ID")


@pytest.fixture
def reviewer():
    return make_member("id-reviewer", Role.REVIEWER, "ID")


def a_file(filename: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(filename, (UPLOADS / filename).read_bytes())


def uploaded_layer(client, user, filename: str, **fields) -> Layer:
    """A layer uploaded through the page, as a surveyor would; it is imported by the time this returns."""
    client.force_login(user)
    data = {"title": "Occurrences", "country": "ID", "theme": "mineral_occurrences", "file": a_file(filename)}
    response = client.post("/layers/upload/", {**data, **fields})
    assert response.status_code == 302, response.content
    layer = Layer.objects.layers().get()
    assert layer.status == LayerStatus.READY, layer.report
    return layer


def new_file(client, layer: Layer, filename: str, kind: str = "replace", **options):
    return client.post(f"/layers/{layer.pk}/change/", {"kind": kind, "file": a_file(filename), **options}, follow=True)


def feature_ids(layer: Layer) -> set[int]:
    return set(Feature.objects.filter(layer=layer).values_list("pk", flat=True))


def what_it_holds(layer: Layer) -> tuple:
    layer.refresh_from_db()
    return layer.feature_count, layer.report, layer.status, layer.field_schema, feature_ids(layer)


# --- replacing ------------------------------------------------------------------------------------


def test_replacing_keeps_the_layer_id_and_lists_both_versions_with_counts_and_dates(client, uploader):
    layer = uploaded_layer(client, uploader, KML)

    page = new_file(client, layer, GPKG).content.decode()

    layer.refresh_from_db()
    assert Layer.objects.layers().get().pk == layer.pk
    assert layer.feature_count == Feature.objects.filter(layer=layer).count() == 146
    assert layer.upload_name == GPKG and layer.report["source_file"] == GPKG
    assert [field["name"] for field in layer.field_schema][:2] != ["name", "description"]
    assert not Layer.objects.filter(staged_for=layer).exists()
    first, second = layer.versions.order_by("number")
    assert (first.number, first.file_name, first.feature_count, first.uploaded_by) == (1, KML, 2, uploader)
    assert (second.number, second.file_name, second.feature_count, second.uploaded_by) == (2, GPKG, 146, uploader)
    assert second.created_at >= first.created_at
    assert second.stored_file.name == layer.upload_file.name != first.stored_file.name
    assert "Upload a new file for this layer" in page
    versions_table = page[page.index('id="versions"') :]
    assert KML in versions_table and GPKG in versions_table and "146" in versions_table
    assert second.created_at.strftime("%Y") in versions_table


def test_an_earlier_version_s_file_is_kept_for_download(client, uploader):
    layer = uploaded_layer(client, uploader, KML)
    new_file(client, layer, GPKG)

    response = client.get(f"/layers/{layer.pk}/versions/1/file")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (UPLOADS / KML).read_bytes()


def test_an_earlier_version_s_file_is_only_for_those_who_look_after_the_layer(client, uploader):
    layer = uploaded_layer(client, uploader, KML)
    Layer.objects.filter(pk=layer.pk).update(is_published=True)
    client.logout()

    assert client.get(f"/layers/{layer.pk}/versions/1/file").status_code == 302  # to sign in
    client.force_login(make_member("other-uploader", Role.SURVEY_UPLOADER, "PH"))
    assert client.get(f"/layers/{layer.pk}/versions/1/file").status_code == 404


@pytest.mark.parametrize(
    ("filename", "reason"),
    [
        ("geonode_invalid_not_json.geojson", "not recognized"),  # not even JSON
        ("mapshaper_openring.geojson", "No feature"),  # read, but no feature valid
        ("pyshp_empty_zipfile.zip", "dummyfile.txt"),  # a zip with no data in it
        ("pyshp_blockgroups_no_prj.zip", "EPSG"),  # no CRS: the uploader must give one
    ],
)
def test_a_bad_replacement_leaves_the_layer_as_it_was_and_says_why(client, uploader, filename, reason):
    layer = uploaded_layer(client, uploader, KML)
    before = what_it_holds(layer)

    page = new_file(client, layer, filename).content.decode()

    assert what_it_holds(layer) == before
    assert list(layer.versions.values_list("number", flat=True)) == [1]  # the first upload only
    change = Layer.objects.get(staged_for=layer)
    assert change.status in (LayerStatus.FAILED, LayerStatus.NEEDS_CRS)
    assert Feature.objects.filter(layer=change).count() == 0
    assert 'id="change-error"' in page and filename in page
    assert reason.lower() in page.lower()


def test_a_failure_can_be_dismissed_and_the_next_file_replaces_the_data(client, uploader):
    layer = uploaded_layer(client, uploader, KML)
    new_file(client, layer, "mapshaper_openring.geojson")

    assert client.post(f"/layers/{layer.pk}/change/discard/").status_code == 302
    assert not Layer.objects.filter(staged_for=layer).exists()
    new_file(client, layer, GPKG)

    layer.refresh_from_db()
    assert layer.feature_count == 146


def test_a_staged_change_is_no_layer_of_its_own(client, uploader):
    layer = uploaded_layer(client, uploader, KML)
    new_file(client, layer, "mapshaper_openring.geojson")
    change = Layer.objects.get(staged_for=layer)

    assert client.get(f"/layers/{change.pk}/").status_code == 404
    assert client.get(f"/api/layers/{change.pk}/").status_code == 404
    assert [row["id"] for row in client.get("/api/layers/").json()["results"]] == [layer.pk]


def test_while_a_new_file_imports_the_page_follows_its_progress_and_shows_the_old_data(client, uploader):
    layer = uploaded_layer(client, uploader, KML)
    Layer.objects.create(
        title=layer.title,
        country="ID",
        staged_for=layer,
        staged_change="replace",
        status=LayerStatus.PROCESSING,
        progress_stage="loading",
        progress_percent=40,
        upload_name=GPKG,
    )

    page = client.get(f"/layers/{layer.pk}/").content.decode()
    status = client.get(f"/layers/{layer.pk}/status.json").json()

    assert f"Importing the new file {GPKG}" in page and 'value="40"' in page
    assert (status["status"], status["percent"], status["finished"]) == ("processing", 40, False)
    assert Layer.objects.get(pk=layer.pk).feature_count == 2
    assert "Upload a new file for this layer" not in page
    assert "is being imported" in new_file(client, layer, GPKG).content.decode()  # one new file at a time
    Layer.objects.filter(pk=layer.pk).update(is_published=True)
    client.logout()
    assert client.get(f"/layers/{layer.pk}/status.json").json()["status"] == "ready"  # the public's is unchanged
    assert GPKG not in client.get(f"/layers/{layer.pk}/").content.decode()


# --- appending ------------------------------------------------------------------------------------


def test_appending_a_file_with_the_same_fields_adds_its_features(client, uploader):
    layer = uploaded_layer(client, uploader, GPKG)
    old_ids = feature_ids(layer)

    new_file(client, layer, GPKG, kind="append")

    layer.refresh_from_db()
    assert layer.feature_count == Feature.objects.filter(layer=layer).count() == 292
    new_ids = feature_ids(layer) - old_ids
    assert len(new_ids) == 146
    indexes = sorted(Feature.objects.filter(layer=layer).values_list("source_index", flat=True))
    assert indexes == sorted(set(indexes))  # appended features follow the first ones, none share a number
    assert [version.feature_count for version in layer.versions.order_by("number")] == [146, 292]
    assert layer.versions.get(number=2).kind == "append"


def test_tiles_show_the_appended_features(client, uploader):
    layer = uploaded_layer(client, uploader, GPKG)
    new_file(client, layer, GPKG, kind="append")
    appended = Feature.objects.filter(layer=layer).order_by("-source_index").first()

    for z in (6, 14):  # a generalised low zoom and the features as stored
        z, x, y = tile_of(appended.geom.x, appended.geom.y, z)
        response = client.get(f"/tiles/layers/{layer.pk}/{z}/{x}/{y}.pbf")
        assert response.status_code == 200
        tile = mapbox_vector_tile.decode(response.content)
        assert appended.pk in {feature["properties"]["fid"] for feature in tile["features"]["features"]}


def test_appending_different_fields_names_them_and_adds_nothing(client, uploader):
    layer = uploaded_layer(client, uploader, KML)
    before = what_it_holds(layer)

    page = new_file(client, layer, GPKG, kind="append").content.decode()

    assert what_it_holds(layer) == before
    change = Layer.objects.get(staged_for=layer)
    error = change.report["error"]
    assert "missing fields" in error and "description" in error  # a KML field the GeoPackage lacks
    assert "fields the layer does not have" in error
    assert error in page.replace("&#x27;", "'")
    assert Feature.objects.filter(layer=change).count() == 0


# --- who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),  # anonymous: sent to sign in
        (("other-uploader", Role.SURVEY_UPLOADER, "PH"), 404),  # a draft of another country is not theirs to see
        (("officer", Role.ENVIRONMENTAL_OFFICER, "ID"), 404),  # nor to a role that does not record layers
    ],
)
def test_people_who_do_not_look_after_the_layer_are_refused(client, uploader, who, status):
    layer = uploaded_layer(client, uploader, KML)
    before = what_it_holds(layer)
    client.logout()
    if who:
        client.force_login(make_member(*who))

    response = client.post(f"/layers/{layer.pk}/change/", {"kind": "replace", "file": a_file(GPKG)})

    assert response.status_code == status
    assert what_it_holds(layer) == before
    assert not Layer.objects.filter(staged_for=layer).exists()


@pytest.mark.parametrize(
    "who", [("other-uploader", Role.SURVEY_UPLOADER, "PH"), ("officer", Role.ENVIRONMENTAL_OFFICER, "ID")]
)
def test_who_sees_a_published_layer_but_does_not_look_after_it_may_not_change_it(client, uploader, who):
    layer = uploaded_layer(client, uploader, KML)
    Layer.objects.filter(pk=layer.pk).update(is_published=True)
    before = what_it_holds(layer)
    client.force_login(make_member(*who))

    response = client.post(f"/layers/{layer.pk}/change/", {"kind": "append", "file": a_file(KML)})

    assert response.status_code == 403
    assert what_it_holds(layer) == before
    assert (
        token_client(make_member("x" + who[0], *who[1:]))
        .post(f"/api/layers/{layer.pk}/replace/", {"file": a_file(GPKG)})
        .status_code
        == 403
    )
    assert what_it_holds(layer) == before


def test_a_reviewer_of_the_country_may_replace_the_data(client, uploader, reviewer):
    layer = uploaded_layer(client, uploader, KML)
    client.force_login(reviewer)

    new_file(client, layer, GPKG)

    layer.refresh_from_db()
    assert layer.feature_count == 146
    assert layer.versions.get(number=2).uploaded_by == reviewer


# --- what the public sees ------------------------------------------------------------------------


def test_the_public_sees_the_published_version_until_a_reviewer_publishes_the_new_one(client, uploader, reviewer):
    layer = uploaded_layer(client, uploader, KML)
    Layer.objects.filter(pk=layer.pk).update(is_published=True)

    page = new_file(client, layer, GPKG).content.decode()

    assert "waits to be published" in page
    assert "Upload a new file for this layer" not in page
    assert "Publish the new version" not in page  # an uploader does not publish
    client.logout()
    assert client.get(f"/api/layers/{layer.pk}/").json()["feature_count"] == 2
    assert len(client.get(f"/layers/{layer.pk}/features.geojson").json()["features"]) == 2
    assert client.post(f"/layers/{layer.pk}/change/publish/").status_code == 302  # to sign in
    client.force_login(uploader)
    client.post(f"/layers/{layer.pk}/change/publish/")
    assert Layer.objects.get(pk=layer.pk).feature_count == 2

    client.force_login(reviewer)
    assert "Publish the new version" in client.get(f"/layers/{layer.pk}/").content.decode()
    client.post(f"/layers/{layer.pk}/change/publish/")

    client.logout()
    assert client.get(f"/api/layers/{layer.pk}/").json()["feature_count"] == 146
    assert len(client.get(f"/layers/{layer.pk}/features.geojson").json()["features"]) == 146
    assert list(LayerVersion.objects.filter(layer=layer).values_list("number", flat=True)) == [2, 1]


def test_a_waiting_version_can_be_discarded(client, uploader):
    layer = uploaded_layer(client, uploader, KML)
    Layer.objects.filter(pk=layer.pk).update(is_published=True)
    new_file(client, layer, GPKG)
    before = what_it_holds(layer)

    client.post(f"/layers/{layer.pk}/change/discard/")

    assert what_it_holds(layer) == before
    assert not Layer.objects.filter(staged_for=layer).exists()
    assert Feature.objects.count() == 2


def test_a_second_file_waits_for_the_first_to_be_published_or_discarded(client, uploader):
    layer = uploaded_layer(client, uploader, KML)
    Layer.objects.filter(pk=layer.pk).update(is_published=True)
    new_file(client, layer, GPKG)

    page = new_file(client, layer, KML, kind="append").content.decode()

    assert "publish or discard it" in page
    assert Layer.objects.filter(staged_for=layer).count() == 1


# --- the API and the command ---------------------------------------------------------------------


def test_the_api_replaces_and_appends_with_the_same_checks(client, uploader, reviewer):
    layer = uploaded_layer(client, uploader, GPKG)
    stranger = make_member("other-uploader", Role.SURVEY_UPLOADER, "PH")
    officer = make_member("officer", Role.ENVIRONMENTAL_OFFICER, "ID")
    assert APIClient().post(f"/api/layers/{layer.pk}/replace/", {"file": a_file(KML)}).status_code in (401, 403)
    assert token_client(stranger).post(f"/api/layers/{layer.pk}/replace/", {"file": a_file(KML)}).status_code == 404
    assert token_client(officer).post(f"/api/layers/{layer.pk}/replace/", {"file": a_file(KML)}).status_code == 404
    assert Layer.objects.get(pk=layer.pk).feature_count == 146

    as_uploader = token_client(uploader)
    response = token_client(reviewer).post(f"/api/layers/{layer.pk}/append/", {"file": a_file(GPKG)})
    assert response.status_code == 202, response.content
    assert response.json()["layer"]["feature_count"] == 292

    wrong = as_uploader.post(f"/api/layers/{layer.pk}/append/", {"file": a_file(KML)})
    assert wrong.status_code == 202
    assert "fields do not match" in wrong.json()["change"]["report"]["error"]
    assert Layer.objects.get(pk=layer.pk).feature_count == 292

    response = as_uploader.post(f"/api/layers/{layer.pk}/replace/", {"file": a_file(KML)})
    assert response.json()["layer"]["feature_count"] == 2
    listed = as_uploader.get(f"/api/layers/{layer.pk}/versions/").json()
    assert [(row["number"], row["feature_count"]) for row in listed] == [(3, 2), (2, 292), (1, 146)]


def test_the_api_refuses_a_file_of_a_format_it_does_not_read(client, uploader):
    layer = uploaded_layer(client, uploader, KML)
    upload = SimpleUploadedFile("notes.txt", b"hello")

    response = token_client(uploader).post(f"/api/layers/{layer.pk}/replace/", {"file": upload})

    assert response.status_code == 400
    assert "not a format we read" in response.json()["error"]


def test_the_command_replaces_and_appends(client, uploader):
    layer = uploaded_layer(client, uploader, KML)

    call_command("import_layer", str(UPLOADS / GPKG), replace=layer.pk, stdout=io.StringIO())
    call_command("import_layer", str(UPLOADS / GPKG), append=layer.pk, stdout=io.StringIO())

    layer.refresh_from_db()
    assert layer.feature_count == 292
    assert [(version.number, version.file_name) for version in layer.versions.order_by("number")] == [
        (1, KML),
        (2, GPKG),
        (3, GPKG),
    ]
    with pytest.raises(CommandError, match="fields do not match"):
        call_command("import_layer", str(UPLOADS / KML), append=layer.pk, stdout=io.StringIO())
    assert Layer.objects.get(pk=layer.pk).feature_count == 292


def test_the_command_leaves_a_published_layer_s_new_version_to_a_reviewer_unless_told_to_publish(client, uploader):
    layer = uploaded_layer(client, uploader, KML)
    Layer.objects.filter(pk=layer.pk).update(is_published=True)
    out = io.StringIO()

    call_command("import_layer", str(UPLOADS / GPKG), replace=layer.pk, stdout=out)

    assert "waits for a reviewer" in out.getvalue()
    assert Layer.objects.get(pk=layer.pk).feature_count == 2
    with pytest.raises(CommandError, match="publish or discard it"):
        call_command("import_layer", str(UPLOADS / GPKG), replace=layer.pk, publish=True, stdout=io.StringIO())
    versions.discard_change(layer=layer, by=OPERATOR)
    call_command("import_layer", str(UPLOADS / GPKG), replace=layer.pk, publish=True, stdout=io.StringIO())
    assert Layer.objects.get(pk=layer.pk).feature_count == 146
