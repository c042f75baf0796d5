"""`manage.py import_sites`: inventories become sites; re-imports update, never duplicate; duplicates are reported."""

import json
from io import StringIO

import geopandas as gpd
import pytest
import shapely
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.core.management.base import CommandError

from sites.demo import GEM_COAL_FILE
from sites.models import DataSource, MineSite, QualityFlag, SiteStatus
from tests.conftest import make_site

pytestmark = pytest.mark.django_db

CSV_HEADER = "site_id,name,country,status,commodity,lon,lat,opened_year\n"


def run(*args) -> dict:
    """Run the command; return its JSON report."""
    out = StringIO()
    call_command("import_sites", *map(str, args), stdout=out)
    text = out.getvalue()
    return json.loads(text[: text.rindex("}") + 1])


def write_csv(tmp_path, body: str, name="inventory.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes((CSV_HEADER + body).encode(encoding))
    return path


def test_gem_tracker_imports_with_guessed_columns_and_reimports_unchanged():
    report = run(GEM_COAL_FILE, "--source", "GEM", "--map", "commodities=coal_type", "--publish")
    assert report["rows_read"] == 575
    assert report["created"] == 575 and report["rejected"] == 0
    assert report["columns"]["name"] == "project" and report["columns"]["source_id"] == "id"
    # GEM writes "TBD" for unknown opening years: kept as empty, counted, the site is not lost.
    assert any("'TBD'" in warning for warning in report["warnings"])
    source = DataSource.objects.get(name="GEM")
    assert source.sites.filter(is_published=True).count() == 575
    # M0684 appears twice in the tracker: both records kept, under distinct keys, and flagged.
    assert sorted(source.sites.filter(source_record_id="M0684").values_list("source_record_key", flat=True)) == [
        "M0684",
        "M0684#2",
    ]
    identical = [pair for pair in report["probable_duplicates"] if pair["reason"] == "identical coordinates"]
    assert identical, "the tracker has mines at shared coordinates"
    flagged = MineSite.objects.filter(quality_flags__contains=[QualityFlag.DUPLICATE_COORDINATES])
    assert {pair["site_id"] for pair in identical} <= set(flagged.values_list("id", flat=True))

    again = run(GEM_COAL_FILE, "--source", "GEM", "--map", "commodities=coal_type")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 575)
    assert MineSite.objects.count() == 575


def test_csv_reimport_updates_the_same_site_with_history_of_who(tmp_path):
    importer = User.objects.create_user("surveyor")
    first = write_csv(tmp_path, "IDN-7,Bukit Timah,Indonesia,active,Ni;Co,121.5,-2.5,1998\n")
    assert run(first, "--source", "DGMC inventory", "--user", "surveyor")["created"] == 1
    site = MineSite.objects.get(source_record_id="IDN-7")
    assert (site.country, site.status, site.commodities) == ("ID", "active", ["nickel", "cobalt"])
    assert not site.is_published  # drafts until a reviewer publishes

    second = write_csv(tmp_path, "IDN-7,Bukit Timah,Indonesia,abandoned,Ni;Co,121.5,-2.5,1998\n")
    report = run(second, "--source", "DGMC inventory", "--user", "surveyor")
    assert (report["created"], report["updated"]) == (0, 1)
    site.refresh_from_db()
    assert site.status == SiteStatus.ABANDONED and site.source_status == "abandoned"
    history = list(site.history.order_by("history_date"))
    assert [record.status for record in history] == ["active", "abandoned"]
    assert {record.history_user for record in history} == {importer}


def test_bad_rows_are_rejected_with_their_row_and_reason(tmp_path):
    path = write_csv(
        tmp_path,
        "A1,Good mine,PH,closed,gold,125.1,8.2,\n"
        "A2,Foreign mine,Peru,closed,gold,125.2,8.2,\n"
        "A3,No place,PH,closed,gold,east,8.2,\n"
        "A4,Off the globe,PH,closed,gold,125.2,123.4,\n"
        "A5,Odd status,PH,flooded,gold,125.3,8.2,\n"
        ",Nameless id,PH,closed,gold,125.4,8.2,\n",
    )
    report = run(path)
    assert report["created"] == 1 and report["rejected"] == 5
    reasons = {rejection["row"]: rejection["reason"] for rejection in report["rejections"]}
    assert "Peru" in reasons[2]
    assert "not numbers" in reasons[3]
    assert "outside the Earth" in reasons[4]
    assert "flooded" in reasons[5]
    assert "no source id" in reasons[6]


def test_probable_duplicates_same_name_within_1_km_or_identical_coordinates(tmp_path):
    near = make_site(name="Batu Hijau", location=Point(116.8700, -8.9600, srid=4326))
    same_point = make_site(name="Other name", location=Point(117.5, -8.5, srid=4326))
    make_site(name="Batu Hijau", location=Point(117.0, -8.96, srid=4326))  # same name, 14 km away: not a duplicate
    path = write_csv(
        tmp_path,
        "N1,Batu Hijau,ID,active,copper,116.8750,-8.9600,\n"  # ~550 m from `near`
        "N2,Sumbawa pit,ID,active,gold,117.5,-8.5,\n",
    )
    report = run(path)
    pairs = {(pair["other_site_id"], pair["reason"]) for pair in report["probable_duplicates"]}
    assert pairs == {(near.pk, "same name within 1 km"), (same_point.pk, "identical coordinates")}
    assert next(p for p in report["probable_duplicates"] if p["other_site_id"] == near.pk)["distance_m"] == (
        pytest.approx(549, abs=5)
    )


def test_latin1_csv_with_semicolons_and_an_encoding_override(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "id;name;country;status;longitude;latitude\nT1;Mina São João;TL;closed;125.6;-8.6\n".encode("latin-1")
    )
    run(path, "--encoding", "latin-1")
    assert MineSite.objects.get().name == "Mina São João"


def test_polygon_inventory_in_utm_keeps_the_footprint(tmp_path):
    square = shapely.box(500000, 1500000, 501000, 1501000)  # 1 km square in UTM 48N
    frame = gpd.GeoDataFrame(
        {"MINE_ID": ["K-1"], "NAMA": ["Phnom Tbeng pit"], "NEGARA": ["Cambodia"], "STATUS": ["Abandoned"]},
        geometry=[square],
        crs="EPSG:32648",
    )
    path = tmp_path / "pits.gpkg"
    frame.to_file(path, driver="GPKG")
    report = run(path, "--map", "source_id=MINE_ID", "--map", "name=NAMA", "--map", "country=NEGARA")
    assert report["source_crs"] == "EPSG:32648" and report["created"] == 1
    site = MineSite.objects.get()
    assert site.footprint is not None and site.footprint.contains(site.location)
    assert site.location.x == pytest.approx(105.0, abs=0.01) and site.location.y == pytest.approx(13.57, abs=0.01)


def test_nothing_importable_exits_non_zero_and_writes_nothing(tmp_path):
    path = write_csv(tmp_path, "B1,Somewhere,Atlantis,active,gold,100,10,\n")
    with pytest.raises(CommandError, match="No row of inventory.csv could be imported.*Atlantis") as failure:
        run(path)
    assert failure.value.returncode == 1
    assert not MineSite.objects.exists() and not DataSource.objects.exists()


def test_missing_required_columns_are_named(tmp_path):
    path = tmp_path / "thin.csv"
    path.write_text("code_name,lon,lat\nX,100,10\n")
    with pytest.raises(CommandError, match="no column found for source_id, name, country, status"):
        run(path)


@pytest.mark.parametrize(
    ("option", "message"),
    [("--map=colour=RED", "'colour' is not a site field"), ("--map=name", "write it as FIELD=COLUMN")],
)
def test_bad_map_options_are_explained(tmp_path, option, message):
    with pytest.raises(CommandError, match=message):
        run(write_csv(tmp_path, "C1,Mine,PH,active,gold,120,15,\n"), option)
