"""Each data-quality check flags a made-up defect and leaves its near miss alone; dismissals outlive recomputation."""

from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.utils import timezone

from access.models import Country, Role
from geodata.services import load_reference_layer
from sites.demo import REFERENCE_LAYERS
from sites.models import DismissedFlag, MineSite, QualityFlag, SiteStatus
from sites.quality import FlagActionError, dismiss_flag, flag_quality_issues
from tests.conftest import make_site
from tests.remediation.conftest import make_member

pytestmark = pytest.mark.django_db

# Near the equator a degree of latitude is about 110.6 km: these are 0.5 km and 1.5 km.
HALF_KM_IN_DEGREES = 0.5 / 110.6
ONE_AND_A_HALF_KM_IN_DEGREES = 1.5 / 110.6
JAKARTA = (106.85, -6.2)
BANGKOK = (100.5, 13.75)
SOUTH_CHINA_SEA = (112.0, 10.0)


@pytest.fixture
def outlines(db):
    (spec,) = [spec for spec in REFERENCE_LAYERS if spec.slug == "asean-country-outlines"]
    return load_reference_layer(spec)


def flags_of(site: MineSite) -> list[str]:
    site.refresh_from_db()
    return site.quality_flags


def test_the_same_name_half_a_kilometre_away_is_a_probable_duplicate():
    first = make_site(name="Bukit Emas", location=Point(121.5, -2.5, srid=4326))
    second = make_site(name="  BUKIT emas ", location=Point(121.5, -2.5 + HALF_KM_IN_DEGREES, srid=4326))
    flag_quality_issues()
    assert QualityFlag.DUPLICATE_NAME_NEARBY in flags_of(first)
    assert QualityFlag.DUPLICATE_NAME_NEARBY in flags_of(second)


def test_the_same_name_one_and_a_half_kilometres_away_is_not_a_duplicate():
    first = make_site(name="Bukit Emas", location=Point(121.5, -2.5, srid=4326))
    second = make_site(name="Bukit Emas", location=Point(121.5, -2.5 + ONE_AND_A_HALF_KM_IN_DEGREES, srid=4326))
    flag_quality_issues()
    assert flags_of(first) == [] and flags_of(second) == []


def test_different_names_close_together_are_not_name_duplicates():
    first = make_site(name="Bukit Emas", location=Point(121.5, -2.5, srid=4326))
    make_site(name="Bukit Perak", location=Point(121.5, -2.5 + HALF_KM_IN_DEGREES, srid=4326))
    flag_quality_issues()
    assert flags_of(first) == []


def test_identical_coordinates_are_flagged_and_a_few_metres_apart_are_not():
    first = make_site(name="North pit", location=Point(121.5, -2.5, srid=4326))
    second = make_site(name="South pit", location=Point(121.5, -2.5, srid=4326))
    near = make_site(name="East pit", location=Point(121.50005, -2.5, srid=4326))
    flag_quality_issues()
    assert flags_of(first) == flags_of(second) == [QualityFlag.DUPLICATE_COORDINATES]
    assert flags_of(near) == []


def test_a_site_at_sea_is_outside_land_only(outlines):
    at_sea = make_site(country=Country.VIETNAM, location=Point(*SOUTH_CHINA_SEA, srid=4326))
    flag_quality_issues()
    assert flags_of(at_sea) == [QualityFlag.OUTSIDE_LAND]


def test_a_site_in_another_country_is_outside_its_country(outlines):
    misfiled = make_site(name="Misfiled", country=Country.INDONESIA, location=Point(*BANGKOK, srid=4326))
    in_place = make_site(name="In place", country=Country.THAILAND, location=Point(*BANGKOK, srid=4326))
    at_home = make_site(name="At home", country=Country.INDONESIA, location=Point(*JAKARTA, srid=4326))
    counts = flag_quality_issues()
    assert QualityFlag.OUTSIDE_COUNTRY in flags_of(misfiled)
    assert QualityFlag.OUTSIDE_COUNTRY not in flags_of(in_place)
    assert flags_of(at_home) == []
    assert counts[QualityFlag.OUTSIDE_COUNTRY] == 1


def test_without_the_outlines_layer_the_outline_checks_are_skipped():
    misfiled = make_site(country=Country.INDONESIA, location=Point(*BANGKOK, srid=4326))
    at_sea = make_site(name="At sea", location=Point(*SOUTH_CHINA_SEA, srid=4326))
    flag_quality_issues()
    assert flags_of(misfiled) == [] and flags_of(at_sea) == []


@pytest.mark.parametrize(
    ("fields", "is_flagged"),
    [
        ({"commodities": []}, True),
        ({"name": "   "}, True),
        ({"status": ""}, True),
        ({"mine_type": "unknown", "operator": "", "admin_area": ""}, False),
    ],
)
def test_records_missing_a_key_field_are_flagged(fields, is_flagged):
    site = make_site(name="Complete")
    MineSite.objects.filter(pk=site.pk).update(**fields)
    flag_quality_issues()
    assert (QualityFlag.MISSING_KEY_FIELDS in flags_of(site)) is is_flagged


@pytest.mark.parametrize(("years_ago", "is_flagged"), [(6, True), (4, False)])
def test_sites_not_updated_for_five_years_are_flagged(years_ago, is_flagged):
    site = make_site()
    MineSite.objects.filter(pk=site.pk).update(updated_at=timezone.now() - timedelta(days=365 * years_ago))
    flag_quality_issues()
    assert (QualityFlag.NOT_UPDATED in flags_of(site)) is is_flagged


def test_the_stale_age_is_a_setting_and_flagging_does_not_make_a_site_fresh(settings):
    settings.SITE_STALE_AFTER_YEARS = 3
    site = make_site()
    four_years_ago = timezone.now() - timedelta(days=365 * 4)
    MineSite.objects.filter(pk=site.pk).update(updated_at=four_years_ago)
    flag_quality_issues()
    flag_quality_issues()  # again: the first flagging must not have reset updated_at
    assert flags_of(site) == [QualityFlag.NOT_UPDATED]
    assert site.updated_at == four_years_ago


def test_the_command_recomputes_the_flags(capsys):
    site = make_site(commodities=[])
    call_command("flag_quality_issues")
    assert flags_of(site) == [QualityFlag.MISSING_KEY_FIELDS]
    assert "missing_key_fields: 1" in capsys.readouterr().out


@pytest.fixture
def flagged_pair():
    first = make_site(name="Tambang Lama", location=Point(121.5, -2.5, srid=4326))
    second = make_site(name="Tambang Lama", location=Point(121.5, -2.5 + HALF_KM_IN_DEGREES, srid=4326))
    flag_quality_issues()
    return first, second


def test_a_dismissed_flag_stays_dismissed_when_the_flags_are_recomputed(flagged_pair):
    first, second = flagged_pair
    reviewer = make_member("reviewer-id", Role.REVIEWER, "ID")
    dismiss_flag(site=first, flag=QualityFlag.DUPLICATE_NAME_NEARBY, reason="Two shafts of one mine", by=reviewer)
    assert flags_of(first) == []
    counts = flag_quality_issues()
    assert flags_of(first) == [] and flags_of(second) == [QualityFlag.DUPLICATE_NAME_NEARBY]
    assert counts[QualityFlag.DUPLICATE_NAME_NEARBY] == 1
    dismissal = DismissedFlag.objects.get(site=first)
    assert (dismissal.reason, dismissal.dismissed_by) == ("Two shafts of one mine", reviewer)


def test_a_dismissed_flag_comes_back_when_the_data_changes(flagged_pair):
    first, _second = flagged_pair
    reviewer = make_member("reviewer-id", Role.REVIEWER, "ID")
    dismiss_flag(site=first, flag=QualityFlag.DUPLICATE_NAME_NEARBY, reason="Two shafts of one mine", by=reviewer)
    first.refresh_from_db()
    first.status = SiteStatus.CLOSED
    first.save()
    flag_quality_issues()
    assert flags_of(first) == [QualityFlag.DUPLICATE_NAME_NEARBY]


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_dismissal_needs_a_reason(flagged_pair, reason):
    first, _second = flagged_pair
    reviewer = make_member("reviewer-id", Role.REVIEWER, "ID")
    with pytest.raises(FlagActionError, match="Give a reason"):
        dismiss_flag(site=first, flag=QualityFlag.DUPLICATE_NAME_NEARBY, reason=reason, by=reviewer)
    assert flags_of(first) == [QualityFlag.DUPLICATE_NAME_NEARBY]
    assert not DismissedFlag.objects.exists()


def test_a_flag_change_is_kept_in_the_site_history():
    site = make_site(commodities=[])
    flag_quality_issues()
    flag_quality_issues()  # unchanged flags add no history
    rows = list(site.history.order_by("history_date", "history_id"))
    assert [row.history_type for row in rows] == ["+", "~"]
    assert rows[-1].quality_flags == [QualityFlag.MISSING_KEY_FIELDS]
    assert rows[-1].history_change_reason == "quality flags recomputed"
    assert (rows[-1].name, rows[-1].location) == (site.name, site.location)
