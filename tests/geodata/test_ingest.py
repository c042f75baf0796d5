"""The ingest service's promises: all or nothing, idempotent, progress, stale jobs, field names and types."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import shapely
from django.db import connection
from django.utils import timezone

from geodata import generalise, geometry, loading
from geodata.ingest import ingest_layer, mark_stale_jobs_failed, sanitise_field_names
from geodata.models import Feature, GeneralisedFeature, Layer, LayerStatus
from tests.geodata.conftest import UPLOADS, make_layer


def test_failure_while_loading_leaves_no_features(layer, monkeypatch):
    ingest_layer(layer, UPLOADS / "mapshaper_zip-in-zip.zip")
    assert Feature.objects.filter(layer=layer).count() == 295

    def broken_summary(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loading, "set_summary", broken_summary)  # fails after COPY wrote the rows
    report = ingest_layer(layer, UPLOADS / "mapshaper_zip-in-zip.zip")
    monkeypatch.undo()
    layer.refresh_from_db()

    assert layer.status == LayerStatus.FAILED
    assert "disk full" in report["error"]
    assert layer.report["error"] == report["error"]
    assert not Feature.objects.filter(layer=layer).exists()
    assert not GeneralisedFeature.objects.filter(layer=layer).exists()
    assert layer.feature_count == 0


def test_a_failure_in_a_late_chunk_leaves_no_features_and_no_copies(layer, monkeypatch):
    monkeypatch.setattr(loading, "COPY_CHUNK_ROWS", 50)  # 295 features: six chunks
    chunks_repaired = []

    def repair_then_break(geometries, reasons):
        chunks_repaired.append(len(geometries))
        if len(chunks_repaired) == 5:
            raise RuntimeError("the disk filled up")
        return real_repair(geometries, reasons)

    real_repair = geometry.repair
    monkeypatch.setattr(geometry, "repair", repair_then_break)
    report = ingest_layer(layer, UPLOADS / "mapshaper_zip-in-zip.zip")
    layer.refresh_from_db()

    assert len(chunks_repaired) == 5
    assert layer.status == LayerStatus.FAILED and "the disk filled up" in report["error"]
    assert not Feature.objects.filter(layer=layer).exists()
    assert not GeneralisedFeature.objects.filter(layer=layer).exists()


def test_a_layer_read_in_chunks_is_the_layer_read_at_once(layer, monkeypatch):
    """Features, ids' order, the report and the generalised copies do not depend on the chunk size."""
    monkeypatch.setattr(generalise, "MAX_TILE_FEATURES", 0)  # copies at every low zoom, as for a dense layer
    whole = make_layer(title="at once")
    ingest_layer(whole, UPLOADS / "mapshaper_zip-in-zip.zip")
    monkeypatch.setattr(loading, "COPY_CHUNK_ROWS", 40)
    ingest_layer(layer, UPLOADS / "mapshaper_zip-in-zip.zip")
    whole.refresh_from_db()
    layer.refresh_from_db()

    def stored(of):
        rows = Feature.objects.filter(layer=of).order_by("id")
        return [(row.source_index, row.properties, row.geom.wkb.hex()) for row in rows]

    def copies(of):
        by_id = {row.id: row.source_index for row in Feature.objects.filter(layer=of)}
        rows = GeneralisedFeature.objects.filter(layer=of)
        return sorted((row.band, by_id[row.feature_id], row.geom.wkb.hex()) for row in rows)

    assert stored(layer) == stored(whole) and len(stored(layer)) == 295
    assert copies(layer) == copies(whole) and copies(layer)
    for field in ["features_read", "imported", "rejected", "rejections", "repaired", "geometry_types", "fields"]:
        assert layer.report[field] == whole.report[field], field
    assert (layer.feature_count, layer.geometry_type, layer.extent) == (
        whole.feature_count,
        whole.geometry_type,
        whole.extent,
    )


def test_reingest_replaces_the_features(layer):
    ingest_layer(layer, UPLOADS / "geonode_valid.kml")
    ingest_layer(layer, UPLOADS / "geonode_valid.kml")
    layer.refresh_from_db()
    assert layer.status == LayerStatus.READY
    assert list(Feature.objects.filter(layer=layer).values_list("source_index", flat=True)) == [0, 1]
    assert layer.feature_count == 2


def test_upload_without_prj_waits_for_crs_then_imports_with_an_srid(layer):
    report = ingest_layer(layer, UPLOADS / "pyshp_blockgroups_no_prj.zip")
    layer.refresh_from_db()
    assert layer.status == LayerStatus.NEEDS_CRS
    assert "no .prj" in report["message"]

    report = ingest_layer(layer, UPLOADS / "pyshp_blockgroups_no_prj.zip", srid=4326)
    layer.refresh_from_db()
    assert layer.status == LayerStatus.READY
    assert layer.feature_count == 663
    assert layer.source_crs == "EPSG:4326"
    assert report["source_crs_decided_by"] == "user"


@pytest.mark.parametrize("srid", [0, -4326, 999999, 5773])  # 5773 is a vertical CRS
def test_unusable_srid_fails_with_a_message(layer, srid):
    report = ingest_layer(layer, UPLOADS / "pyshp_blockgroups_no_prj.zip", srid=srid)
    assert layer.status == LayerStatus.FAILED
    assert "EPSG" in report["error"]


def test_progress_is_saved_and_reported_until_done(layer):
    seen = []
    ingest_layer(layer, UPLOADS / "geonode_valid.kml", progress=lambda stage, percent: seen.append((stage, percent)))
    percents = [percent for _, percent in seen]
    assert percents == sorted(percents)
    assert seen[0] == ("unpacking", 5) and seen[-1] == ("done", 100)
    assert {"reading", "loading"} <= {stage for stage, _ in seen}
    layer.refresh_from_db()
    assert layer.progress_percent == 100


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_by_others_while_the_features_load(monkeypatch):
    """The load runs in one transaction; its progress is saved beside it, so a polling page sees it move."""
    monkeypatch.setattr(loading, "COPY_CHUNK_ROWS", 50)
    layer = make_layer()
    seen_by_others = []

    def look_from_another_connection(stage, percent):
        if stage == "loading":
            with ThreadPoolExecutor(max_workers=1) as other:  # a thread has its own database connection
                seen_by_others.append(other.submit(_progress_from_another_connection, layer.pk).result())

    ingest_layer(layer, UPLOADS / "mapshaper_zip-in-zip.zip", progress=look_from_another_connection)

    assert len(seen_by_others) == 6  # 295 features in chunks of 50
    assert all(stage in ("reading", "loading") for stage, _ in seen_by_others)
    assert seen_by_others[-1][0] == "loading" and seen_by_others[-1][1] > seen_by_others[0][1]
    assert Feature.objects.filter(layer=layer).count() == 295


def _progress_from_another_connection(layer_id: int) -> tuple[str, int]:
    try:
        return tuple(Layer.objects.filter(pk=layer_id).values_list("progress_stage", "progress_percent").get())
    finally:
        connection.close()


def test_stale_processing_jobs_are_marked_failed(db):
    stale = make_layer(title="stale", status=LayerStatus.PROCESSING)
    fresh = make_layer(title="fresh", status=LayerStatus.PROCESSING)
    finished = make_layer(title="finished", status=LayerStatus.READY)
    Layer.objects.filter(pk__in=[stale.pk, finished.pk]).update(updated_at=timezone.now() - timedelta(hours=2))

    assert mark_stale_jobs_failed(timedelta(minutes=30)) == 1

    for layer in (stale, fresh, finished):
        layer.refresh_from_db()
    assert stale.status == LayerStatus.FAILED
    assert "stopped responding" in stale.report["error"]
    assert fresh.status == LayerStatus.PROCESSING
    assert finished.status == LayerStatus.READY


def test_field_names_are_sanitised_unique_and_keep_letters():
    names = ["Name", "name", "Mine Type", "Höhe (m)", "☃", "", "coal-grade"]
    assert sanitise_field_names(names) == ["name", "name_2", "mine_type", "höhe_m", "field_5", "field_6", "coal_grade"]


def test_values_keep_their_types(layer, tmp_path):
    upload = tmp_path / "occurrences.geojson"
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [121.5, -2.5]},
        "properties": {"Opened": "2024-05-01", "Depth m": 12.5, "Shafts": 3, "Name": "Ñandú", "Note": None},
    }
    upload.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    report = ingest_layer(layer, upload)
    stored = Feature.objects.get(layer=layer)
    assert stored.properties == {"opened": "2024-05-01", "depth_m": 12.5, "shafts": 3, "name": "Ñandú", "note": None}
    assert {field["original_name"]: field["type"] for field in report["fields"]} == {
        "Opened": "date",
        "Depth m": "float",
        "Shafts": "integer",
        "Name": "string",
        "Note": "string",
    }


def test_rejections_name_the_feature_and_the_reason(layer):
    report = ingest_layer(layer, UPLOADS / "mapshaper_six_counties_three_null.geojson")
    assert report["rejections"] == [{"index": index, "reason": "no geometry (null)"} for index in (0, 2, 5)]
    assert sorted(Feature.objects.filter(layer=layer).values_list("source_index", flat=True)) == [1, 3, 4]


def test_repaired_polygons_keep_all_their_area(layer, tmp_path):
    """A bow-tie keeps both lobes, and overlapping parts of a multipolygon keep their overlap (not an XOR)."""
    upload = tmp_path / "invalid.geojson"
    upload.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"n": 1}, "geometry": json.loads(shapely.to_geojson(shape))}
                    for shape in [
                        shapely.from_wkt("POLYGON ((100 0, 100.02 0.02, 100.02 0, 100 0.02, 100 0))"),
                        shapely.from_wkt(
                            "MULTIPOLYGON (((100 0, 100.02 0, 100.02 0.02, 100 0.02, 100 0)),"
                            " ((100.01 0.01, 100.03 0.01, 100.03 0.03, 100.01 0.03, 100.01 0.01)))"
                        ),
                    ]
                ],
            }
        )
    )
    report = ingest_layer(layer, upload)
    assert report["repaired"] == 2 and report["imported"] == 2
    areas = [shapely.from_wkb(bytes(feature.geom.wkb)).area for feature in Feature.objects.filter(layer=layer)]
    assert areas == pytest.approx([0.0002, 0.0007])


def test_deleting_a_layer_deletes_its_features_and_copies(layer, monkeypatch):
    """Features and copies have no foreign-key constraint in the database (bulk loads skip its checks)."""
    monkeypatch.setattr(generalise, "MAX_TILE_FEATURES", 0)
    ingest_layer(layer, UPLOADS / "mapshaper_zip-in-zip.zip")
    layer_id = layer.pk
    assert GeneralisedFeature.objects.filter(layer_id=layer_id).exists()
    layer.delete()
    assert not Feature.objects.filter(layer_id=layer_id).exists()
    assert not GeneralisedFeature.objects.filter(layer_id=layer_id).exists()
