"""`manage.py import_layer`: the ingest service from a terminal, with exit codes that scripts can trust."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from geodata.models import Layer, LayerStatus
from tests.geodata.conftest import UPLOADS


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_layer", *map(str, args), stdout=out)
    return out.getvalue()


def test_import_succeeds_and_prints_the_report(db):
    output = run(UPLOADS / "geonode_valid.kml", "--title", "Laguna points", "--country", "PH", "--publish")
    layer = Layer.objects.get(title="Laguna points")
    assert layer.status == LayerStatus.READY
    assert layer.is_published
    assert layer.features.count() == 2
    assert '"imported": 2' in output
    assert "100% done" in output  # plain progress lines when not on a terminal


def test_missing_crs_exits_non_zero_and_asks_for_srid(db):
    with pytest.raises(CommandError, match="--srid") as failure:
        run(UPLOADS / "pyshp_blockgroups_no_prj.zip")
    assert failure.value.returncode == 1
    assert not Layer.objects.exists()

    run(UPLOADS / "pyshp_blockgroups_no_prj.zip", "--srid", "4326")
    assert Layer.objects.get().feature_count == 663


def test_several_layers_exit_non_zero_until_one_is_picked(db):
    with pytest.raises(CommandError, match="land, roads.*--layer"):
        run(UPLOADS / "mapshaper_Oregon_2layers.gpkg")
    run(UPLOADS / "mapshaper_Oregon_2layers.gpkg", "--layer", "roads")
    assert Layer.objects.get().feature_count == 121


def test_bad_file_exits_non_zero_with_the_reason(db):
    with pytest.raises(CommandError, match="latin1.shx is missing"):
        run(UPLOADS / "pyshp_latin1_missing_shx.zip")
    assert not Layer.objects.exists()


def test_missing_file_exits_non_zero(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run(tmp_path / "nothing.zip")
