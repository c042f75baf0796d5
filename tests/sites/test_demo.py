"""load_demo: the real GEM coal-mine data becomes 575 sites, with its defects flagged, idempotently."""

from collections import Counter

import pytest
from django.core.management import call_command

from geodata.models import Feature, Layer
from sites.demo import load_demo
from sites.gem import STATUS_BY_GEM_STATUS
from sites.imports import record_keys
from sites.models import MineSite, QualityFlag, SiteStatus

pytestmark = pytest.mark.django_db

# Per-country counts of the 575 GEM records, as the data's README gives them.
EXPECTED_BY_COUNTRY = {"ID": 521, "VN": 27, "MM": 10, "PH": 9, "LA": 3, "TH": 2, "MY": 2, "KH": 1}


@pytest.fixture
def demo(demo_report):
    return demo_report


def test_demo_loads_575_published_sites_with_the_readme_counts_per_country(demo):
    assert MineSite.objects.count() == 575
    assert MineSite.objects.published().count() == 575
    assert dict(Counter(MineSite.objects.values_list("country", flat=True))) == EXPECTED_BY_COUNTRY
    assert demo.sites_created == 575


@pytest.mark.parametrize(
    ("gem_status", "our_status"),
    [
        ("operating", SiteStatus.ACTIVE),
        ("mothballed", SiteStatus.CARE_AND_MAINTENANCE),
        ("retired", SiteStatus.CLOSED),
        ("proposed", SiteStatus.PROPOSED),
        ("shelved", SiteStatus.PROPOSED),
        ("cancelled", SiteStatus.PROPOSED),
    ],
)
def test_gem_status_maps_to_ours_and_is_kept_as_provenance(demo, gem_status, our_status):
    assert STATUS_BY_GEM_STATUS[gem_status] == our_status
    sites = MineSite.objects.filter(source_status=gem_status)
    assert sites.exists()
    assert set(sites.values_list("status", flat=True)) == {our_status}


def test_status_totals_follow_the_gem_counts(demo):
    totals = Counter(MineSite.objects.values_list("status", flat=True))
    # operating 460, mothballed 63, retired 9, proposed 34 + shelved 5 + cancelled 4
    assert totals == {"active": 460, "care_and_maintenance": 63, "closed": 9, "proposed": 43}


def test_the_repeated_gem_id_gives_two_flagged_sites_with_distinct_keys(demo):
    adaro = MineSite.objects.filter(source_record_id="M0684").order_by("source_record_key")
    assert [site.source_record_key for site in adaro] == ["M0684", "M0684#2"]
    assert {site.source_status for site in adaro} == {"operating", "shelved"}
    assert all(QualityFlag.DUPLICATE_SOURCE_ID in site.quality_flags for site in adaro)


def test_data_defects_are_flagged_not_hidden(demo):
    assert demo.quality_flags == {
        "duplicate_source_id": 2,
        "duplicate_coordinates": 28,
        "outside_land": 9,
        "duplicate_name_nearby": 2,
        "outside_country": 1,
        "missing_key_fields": 0,
        "not_updated": 0,
    }
    shared = MineSite.objects.filter(quality_flags__contains=[QualityFlag.DUPLICATE_COORDINATES])
    locations = Counter((site.location.x, site.location.y) for site in shared)
    assert len(locations) == 13  # 28 sites at 13 places: 15 duplicates
    assert sum(locations.values()) - len(locations) == 15


def test_reference_layers_are_loaded_and_published(demo):
    layers = {layer.slug: layer for layer in Layer.objects.published()}
    assert layers["asean-country-outlines"].feature_count == 11
    assert layers["gem-active-faults"].feature_count == 234
    assert layers["mining-areas"].feature_count == 18
    assert Feature.objects.filter(layer=layers["gem-active-faults"], geom__isnull=False).count() == 234
    assert layers["gem-active-faults"].geometry_type == "LINESTRING"


def test_running_it_twice_leaves_the_same_data_and_no_new_history(demo):
    history_before = MineSite.history.count()
    features_before = list(Feature.objects.order_by("id").values_list("id", flat=True))
    second = load_demo()
    assert (second.sites_created, second.sites_updated, second.sites_unchanged) == (0, 0, 575)
    assert MineSite.objects.count() == 575
    assert MineSite.history.count() == history_before
    assert list(Feature.objects.order_by("id").values_list("id", flat=True)) == features_before


def test_a_changed_site_is_restored_by_the_next_load(demo):
    site = MineSite.objects.get(source_record_key="M0134")
    site.status = SiteStatus.ABANDONED
    site.save()
    report = load_demo()
    site.refresh_from_db()
    assert report.sites_updated == 1
    assert site.status == SiteStatus.ACTIVE


def test_record_keys_number_repeats():
    assert record_keys(["A", "B", "A", "A"]) == ["A", "B", "A#2", "A#3"]


def test_the_command_prints_its_report(demo, capsys):
    call_command("load_demo")
    output = capsys.readouterr().out
    assert "575 unchanged" in output
    assert "ID 521" in output
    assert "outside_land 9" in output
