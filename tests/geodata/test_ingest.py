"""The ingest service's promises: all or nothing, idempotent, progress, stale jobs, field names and types."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from geodata import loading
from geodata.ingest import ingest_layer, mark_stale_jobs_failed, sanitise_field_names
from geodata.models import Feature, Layer, LayerStatus
from tests.geodata.conftest import UPLOADS, make_layer


def test_failure_while_loading_leaves_no_features(layer, monkeypatch):
    ingest_layer(layer, UPLOADS / "mapshaper_zip-in-zip.zip")
    assert Feature.objects.filter(layer=layer).count() == 295

    def broken_summary(layer):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loading, "summarise_layer", broken_summary)  # fails after COPY wrote the rows
    report = ingest_layer(layer, UPLOADS / "mapshaper_zip-in-zip.zip")
    monkeypatch.undo()
    layer.refresh_from_db()

    assert layer.status == LayerStatus.FAILED
    assert "disk full" in report["error"]
    assert layer.report["error"] == report["error"]
    assert not Feature.objects.filter(layer=layer).exists()
    assert layer.feature_count == 0


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
    assert {"reading", "reprojecting", "validating", "loading"} <= {stage for stage, _ in seen}
    layer.refresh_from_db()
    assert layer.progress_percent == 100


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
