"""Layer downloads reopen in GIS software with the same features and attributes; a bbox clips them."""

import json
import sqlite3
from contextlib import closing

import numpy as np
import pyogrio
import pytest
import shapely
from django.contrib.auth.models import User
from django.db import connection
from django.http import StreamingHttpResponse

from access.models import Membership, Role
from geodata.exports import shapefile_field_names
from geodata.ingest import ingest_layer
from geodata.loading import replace_features
from geodata.models import Feature, Layer
from geodata.services import load_reference_layer
from sites.demo import REFERENCE_LAYERS
from tests.downloads import body, present, reopen, save, shapefile_side_file
from tests.geodata.conftest import UPLOADS, make_layer

pytestmark = pytest.mark.django_db

FORMATS = ["gpkg", "shp.zip", "geojson", "csv"]
# A box over part of Sulawesi; the blocks below cross its edge, lie inside it, outside it, or touch it.
BBOX = (120.0, -3.0, 121.0, -2.0)


@pytest.fixture
def faults():
    layer, _ = load_reference_layer(next(spec for spec in REFERENCE_LAYERS if spec.slug == "gem-active-faults"))
    return layer


def make_blocks_layer(**overrides) -> Layer:
    """Four polygon blocks with long field names that share their first ten characters."""
    layer = make_layer(**{"title": "Survey blocks", "is_published": True, "license": "CC-BY-4.0", **overrides})
    geometries = np.array(
        [
            shapely.box(120.5, -2.5, 121.5, -1.5),  # crosses the east and north edges
            shapely.box(120.2, -2.8, 120.4, -2.6),  # inside
            shapely.box(125.0, 5.0, 126.0, 6.0),  # outside
            shapely.box(121.0, -2.8, 121.5, -2.6),  # touches the east edge only
        ]
    )
    properties = [
        {"block_name": name, "measurement_a": number * 1.5, "measurement_b": number, "surveyed": number % 2 == 0}
        for number, name in enumerate(["crossing", "inside", "outside", "touching"])
    ]
    replace_features(layer, geometries, properties, [10, 11, 12, 13])
    layer.field_schema = [
        {"name": "block_name", "type": "string"},
        {"name": "measurement_a", "type": "float"},
        {"name": "measurement_b", "type": "integer"},
        {"name": "surveyed", "type": "boolean"},
    ]
    layer.status = "ready"
    layer.save()
    return layer


def download(client, layer, file_format, **params):
    return client.get(f"/layers/{layer.pk}/download.{file_format}", params)


# A GeoPackage 1.2 file: application id 'GPKG' (0x47504B47) and user version 10200.
GEOPACKAGE_1_2 = (0x47504B47, 10200)


def geopackage_version(path) -> tuple[int, int]:
    """The file's application id and user version, read by SQLite itself rather than through GDAL."""
    with closing(sqlite3.connect(path)) as database:
        (application_id,) = database.execute("PRAGMA application_id").fetchone()
        (user_version,) = database.execute("PRAGMA user_version").fetchone()
    return application_id, user_version


def stored(layer) -> dict[int, tuple]:
    """source_index -> (shapely geometry, properties) as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT source_index, ST_AsBinary(geom), properties::text FROM {Feature._meta.db_table} "
            "WHERE layer_id = %s",
            [layer.pk],
        )
        return {index: (shapely.from_wkb(bytes(wkb)), json.loads(props)) for index, wkb, props in cursor.fetchall()}


@pytest.mark.parametrize("file_format", FORMATS)
def test_download_reopens_with_every_feature_as_stored(client, faults, tmp_path, file_format):
    response = download(client, faults, file_format)
    assert response.status_code == 200
    frame = reopen(save(response, tmp_path, file_format), file_format)
    database = stored(faults)
    assert len(frame) == faults.feature_count == len(database)
    assert sorted(int(index) for index in frame["source_index"]) == sorted(database)
    for row in frame.sample(25, random_state=1).to_dict(orient="records"):
        geometry, properties = database[int(row["source_index"])]
        assert present(row["fz_name"]) == properties["fz_name"]
        assert shapely.equals_exact(row["geometry"], geometry, tolerance=1e-6)
    if file_format != "csv":
        assert frame.crs.to_epsg() == 4326


@pytest.mark.parametrize("file_format", FORMATS)
def test_bbox_clips_polygons_to_the_box_and_drops_those_outside(client, tmp_path, file_format):
    layer = make_blocks_layer()
    response = download(client, layer, file_format, bbox=",".join(map(str, BBOX)))
    assert response.status_code == 200
    frame = reopen(save(response, tmp_path, file_format), file_format)
    by_index = {int(row["source_index"]): row["geometry"] for row in frame.to_dict(orient="records")}
    # The block that only touches the edge would clip to a line: a polygon layer keeps polygons only.
    assert set(by_index) == {10, 11}
    database = stored(layer)
    crossing = by_index[10]
    assert crossing.is_valid
    assert crossing.area == pytest.approx(0.25)
    assert crossing.area < database[10][0].area
    assert shapely.box(*BBOX).buffer(1e-9).contains(crossing)
    assert shapely.equals(by_index[11], database[11][0])  # inside: unchanged (written as a multipolygon)


def test_an_invalid_stored_polygon_is_repaired_before_it_is_clipped(client, tmp_path):
    layer = make_layer(is_published=True, status="ready")
    bowtie = shapely.Polygon([(120.5, -2.5), (121.5, -1.5), (121.5, -2.5), (120.5, -1.5), (120.5, -2.5)])
    assert not bowtie.is_valid
    replace_features(layer, np.array([bowtie]), [{}], [0])
    response = download(client, layer, "gpkg", bbox=",".join(map(str, BBOX)))
    assert response.status_code == 200
    (clipped,) = reopen(save(response, tmp_path, "gpkg"), "gpkg").geometry
    assert clipped.is_valid
    assert clipped.area == pytest.approx(0.125)


@pytest.mark.parametrize("file_format", ["gpkg", "shp.zip", "geojson"])
def test_attribute_types_survive(client, tmp_path, file_format):
    layer = make_blocks_layer()
    frame = reopen(save(download(client, layer, file_format), tmp_path, file_format), file_format)
    row = frame[frame["source_index"] == 13].iloc[0]
    assert row["measurement_a"] == pytest.approx(4.5)
    assert row["measurement_b"] == 3
    assert row["block_name"] == "touching"
    assert not row["surveyed"]
    assert frame[frame["source_index"] == 12].iloc[0]["surveyed"]


def test_shapefile_field_names_are_cut_to_ten_characters_without_colliding(client, tmp_path):
    layer = make_blocks_layer()
    path = save(download(client, layer, "shp.zip"), tmp_path, "shp.zip")
    fields = list(pyogrio.read_info(f"/vsizip/{path}")["fields"])
    assert len(fields) == len(set(fields)) == 5
    assert all(len(name) <= 10 for name in fields)
    assert shapefile_side_file(path)["shapefile_fields"] == {
        "source_ind": "source_index",
        "block_name": "block_name",
        "measuremen": "measurement_a",
        "measurem_2": "measurement_b",
        "surveyed": "surveyed",
    }


def test_a_shapefile_says_which_texts_its_dbf_had_to_cut_and_the_geopackage_keeps_them(client, tmp_path):
    layer = make_layer(title="Outcrop notes", is_published=True, status="ready")
    notes = ["ก" * 100, "x" * 300, "short", None]  # 300 bytes of Thai, 300 of ASCII, then two that fit
    points = np.array([shapely.Point(100 + i, 15) for i in range(len(notes))])
    replace_features(layer, points, [{"note": note, "code": "A" * 80} for note in notes], list(range(len(notes))))
    layer.field_schema = [{"name": "note", "type": "str"}, {"name": "code", "type": "str"}]
    layer.save()

    path = save(download(client, layer, "shp.zip"), tmp_path, "shp.zip")
    read = reopen(path, "shp.zip")
    assert [len(present(value).encode()) if present(value) else 0 for value in read["note"]] == [252, 254, 5, 0]
    assert shapefile_side_file(path)["shapefile_cut_texts"]["values_cut_per_field"] == {"note": 2}
    whole = reopen(save(download(client, layer, "gpkg"), tmp_path, "gpkg"), "gpkg")
    assert list(whole["note"][:2]) == notes[:2]
    (tmp_path / "blocks").mkdir()
    blocks = save(download(client, make_blocks_layer(), "shp.zip"), tmp_path / "blocks", "shp.zip")
    assert "shapefile_cut_texts" not in shapefile_side_file(blocks)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["a_long_name_1", "a_long_name_2"], ["a_long_nam", "a_long_n_2"]),
        (["Population", "population"], ["Population", "populati_2"]),
        (["short", "x" * 12, "x" * 10, "x" * 11], ["short", "x" * 10, "x" * 8 + "_2", "x" * 8 + "_3"]),
        # Ten bytes, not characters, and never half a character.
        (["名称名称名称", "名称名称"], ["名称名", "名称_2"]),
    ],
)
def test_shapefile_field_names_stay_unique(names, expected):
    assert list(shapefile_field_names(names).values()) == expected


AWKWARD_NAMES = {"fid": "BH-7", "geom": "outcrop", "geometry": "vein", "it's 100%": 5}


@pytest.mark.parametrize("file_format", ["gpkg", "shp.zip", "csv"])
def test_attributes_named_like_id_or_geometry_columns_or_with_quotes_survive(client, tmp_path, file_format):
    layer = make_layer(is_published=True, status="ready")
    replace_features(layer, np.array([shapely.Point(120.5, -2.5)]), [AWKWARD_NAMES], [0])
    layer.field_schema = [
        {"name": name, "type": "integer" if name == "it's 100%" else "string"} for name in AWKWARD_NAMES
    ]
    layer.save()
    path = save(download(client, layer, file_format), tmp_path, file_format)
    # Geometry left out: GDAL reads it back as "geometry", the name of one of these attributes.
    if file_format == "shp.zip":
        frame = pyogrio.read_dataframe(f"/vsizip/{path}", read_geometry=False)
        frame = frame.rename(columns=shapefile_side_file(path)["shapefile_fields"])
    else:
        frame = pyogrio.read_dataframe(path, read_geometry=False)
    row = frame.iloc[0]
    assert {name: row[name] for name in AWKWARD_NAMES} == (
        {**AWKWARD_NAMES, "it's 100%": "5"} if file_format == "csv" else AWKWARD_NAMES
    )


def test_a_mixed_layer_cannot_be_a_shapefile_and_says_why(client):
    layer = make_layer(is_published=True)
    ingest_layer(layer, UPLOADS / "fiona_trio_mixed_types.geojson")
    response = download(client, Layer.objects.get(pk=layer.pk), "shp.zip")
    assert response.status_code == 409
    assert "download it as GeoPackage or GeoJSON" in response.json()["error"]


def test_unknown_format_and_unpublished_layers_are_404(client, faults):
    assert client.get(f"/layers/{faults.pk}/download.xlsx").status_code == 404
    Layer.objects.filter(pk=faults.pk).update(is_published=False)
    for file_format in [*FORMATS, "metadata.json"]:
        assert download(client, faults, file_format).status_code == 404


def test_a_draft_layer_is_refused_to_the_public_and_served_to_its_country_uploader(client):
    layer = make_blocks_layer(is_published=False)
    assert download(client, layer, "geojson").status_code == 404
    uploader = User.objects.create_user("uploader-id")
    Membership.objects.create(user=uploader, country="ID", role=Role.SURVEY_UPLOADER)
    client.force_login(uploader)
    assert len(json.loads(body(download(client, layer, "geojson")))["features"]) == 4


@pytest.mark.parametrize(
    ("bbox", "message"),
    [("1,2,3", "four numbers"), ("a,b,c,d", "must be numbers"), ("121,-2,120,-3", "minimum"), ("0,0,200,1", "±180")],
)
def test_a_bad_bbox_is_400_json_saying_why(client, bbox, message):
    response = download(client, make_blocks_layer(), "gpkg", bbox=bbox)
    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.parametrize("file_format", ["geojson", "csv"])
def test_geojson_and_csv_are_streamed(client, faults, file_format):
    response = download(client, faults, file_format)
    assert isinstance(response, StreamingHttpResponse)
    text = body(response).decode()
    if file_format == "geojson":
        assert len(json.loads(text)["features"]) == faults.feature_count
    else:
        assert len(text.strip().splitlines()) == 1 + faults.feature_count


def assert_describes_the_layer(metadata: dict, layer: Layer, filters: dict):
    assert metadata["title"] == layer.title
    assert metadata["sources"][0]["agency"] == layer.agency
    assert metadata["license"] == layer.license
    assert metadata["filters"] == filters
    assert metadata["registry_url"].endswith(f"/layers/{layer.pk}/")
    assert metadata["exported_at"]


def test_metadata_travels_with_every_format(client, tmp_path):
    layer = make_blocks_layer()
    bbox = ",".join(map(str, BBOX))
    filters = {"bbox": list(BBOX)}

    gpkg = pyogrio.read_info(save(download(client, layer, "gpkg", bbox=bbox), tmp_path, "gpkg"))["layer_metadata"]
    assert gpkg["title"] == layer.title and gpkg["license"] == "CC-BY-4.0"
    assert json.loads(gpkg["filters"]) == filters

    side_file = shapefile_side_file(save(download(client, layer, "shp.zip", bbox=bbox), tmp_path, "shp.zip"))
    assert_describes_the_layer(side_file, layer, filters)

    collection = json.loads(body(download(client, layer, "geojson", bbox=bbox)))
    assert_describes_the_layer(collection["metadata"], layer, filters)

    link = download(client, layer, "csv", bbox=bbox)["Link"]
    assert 'rel="describedby"' in link
    assert_describes_the_layer(client.get(link.split(">")[0].lstrip("<")).json(), layer, filters)


@pytest.mark.parametrize("bbox", [None, ",".join(map(str, BBOX))])
def test_a_layer_geopackage_is_written_as_version_1_2(client, tmp_path, bbox):
    # QGIS 3.22's GDAL warns that a GeoPackage 1.4 "may only be partially supported".
    params = {"bbox": bbox} if bbox else {}
    path = save(download(client, make_blocks_layer(), "gpkg", **params), tmp_path, "gpkg")
    assert geopackage_version(path) == GEOPACKAGE_1_2
    assert len(reopen(path, "gpkg")) == (4 if bbox is None else 2)  # crossing and inside
