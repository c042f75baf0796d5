"""Merging two records of one site: everything moves to the record kept, both histories remain, countries stay apart."""

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point

from access.models import Country, Role
from remediation.models import Hazard
from sites.merging import MergeError, merge_sites
from sites.models import DismissedFlag, MineSite, MineType, QualityFlag, ResourceEstimate
from sites.quality import dismiss_flag, flag_quality_issues
from tests.conftest import make_site
from tests.remediation.conftest import make_hazard, make_measure, make_member, make_visit
from tests.sites.test_resource_estimates import make_estimate

pytestmark = pytest.mark.django_db

HALF_KM_IN_DEGREES = 0.5 / 110.6


@pytest.fixture
def reviewer(db):
    return make_member("reviewer-id", Role.REVIEWER, "ID")


@pytest.fixture
def pair():
    """The record kept (no operator, unknown type) and its duplicate (with both, and a hazard and an estimate)."""
    kept = make_site(name="Tambang Lama", mine_type=MineType.UNKNOWN, location=Point(121.5, -2.5, srid=4326))
    duplicate = make_site(
        name="Tambang Lama Baru",
        alternative_names=["TL Baru"],
        operator="PT Lama",
        mine_type=MineType.OPEN_PIT,
        location=Point(121.5, -2.5 + HALF_KM_IN_DEGREES, srid=4326),
    )
    make_hazard(duplicate)
    make_estimate(duplicate)
    return kept, duplicate


def test_the_records_of_the_removed_site_move_to_the_one_kept(client, pair, reviewer):
    kept, duplicate = pair
    make_measure(duplicate)
    make_visit(duplicate)
    client.force_login(reviewer)
    response = client.post("/quality/merge/", {"survivor": kept.pk, "removed": duplicate.pk}, follow=True)
    assert f"“Tambang Lama Baru” (#{duplicate.pk}) was merged into “Tambang Lama”." in response.content.decode()
    assert not MineSite.objects.filter(pk=duplicate.pk).exists()
    assert Hazard.objects.get().site == kept
    assert ResourceEstimate.objects.get().site == kept
    assert kept.measures.count() == 1 and kept.visits.count() == 1


def test_the_kept_record_takes_what_it_lacked_and_keeps_what_it_had(pair, reviewer):
    kept, duplicate = pair
    kept.operator = ""
    result = merge_sites(survivor=kept, removed=duplicate, by=reviewer)
    kept.refresh_from_db()
    assert (kept.name, kept.operator, kept.mine_type) == ("Tambang Lama", "PT Lama", MineType.OPEN_PIT)
    assert kept.alternative_names == ["Tambang Lama Baru", "TL Baru"]
    assert set(result.filled) == {"operator", "mine_type"}
    assert result.moved == {"remediation.Hazard": 1, "sites.ResourceEstimate": 1}


def test_both_histories_remain_and_say_what_happened(pair, reviewer):
    kept, duplicate = pair
    merge_sites(survivor=kept, removed=duplicate, by=reviewer)
    removed_history = MineSite.history.filter(id=duplicate.pk).order_by("history_date")
    assert [row.history_type for row in removed_history] == ["+", "-"]
    assert removed_history.last().history_change_reason == f"merged into site #{kept.pk} (Tambang Lama)"
    assert removed_history.last().history_user == reviewer
    latest = kept.history.latest()
    assert latest.history_change_reason == f"merged with site #{duplicate.pk} (Tambang Lama Baru)"
    assert latest.history_user == reviewer
    moved_hazard = Hazard.history.filter(site_id=kept.pk).latest()
    assert moved_hazard.history_change_reason == f"merged into site #{kept.pk} (Tambang Lama)"


def test_sites_of_two_countries_are_not_merged(client, pair):
    kept, duplicate = pair
    MineSite.objects.filter(pk=duplicate.pk).update(country=Country.THAILAND)
    staff = User.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(staff)
    response = client.post("/quality/merge/", {"survivor": kept.pk, "removed": duplicate.pk}, follow=True)
    assert "sites of two countries cannot be merged" in response.content.decode()
    assert MineSite.objects.filter(pk=duplicate.pk).exists()
    assert Hazard.objects.get().site_id == duplicate.pk
    with pytest.raises(MergeError, match="two countries"):
        merge_sites(survivor=kept, removed=duplicate, by=staff)


def test_a_reviewer_of_another_country_changes_nothing(client, pair):
    kept, duplicate = pair
    client.force_login(make_member("reviewer-th", Role.REVIEWER, "TH"))
    assert client.post("/quality/merge/", {"survivor": kept.pk, "removed": duplicate.pk}).status_code == 403
    assert MineSite.objects.count() == 2 and Hazard.objects.get().site_id == duplicate.pk


def test_a_site_is_not_merged_with_itself(pair, reviewer):
    kept, _duplicate = pair
    with pytest.raises(MergeError, match="itself"):
        merge_sites(survivor=kept, removed=kept, by=reviewer)


def test_after_a_merge_the_duplicate_flag_is_gone_and_the_removed_dismissals_with_it(reviewer):
    kept = make_site(name="Tambang Lama", location=Point(121.5, -2.5, srid=4326))
    duplicate = make_site(name="Tambang Lama", location=Point(121.5, -2.5 + HALF_KM_IN_DEGREES, srid=4326))
    flag_quality_issues()
    dismiss_flag(site=duplicate, flag=QualityFlag.DUPLICATE_NAME_NEARBY, reason="Checked", by=reviewer)
    merge_sites(survivor=kept, removed=duplicate, by=reviewer)
    kept.refresh_from_db()
    assert kept.quality_flags == []
    assert not DismissedFlag.objects.exists()


def test_the_kept_record_takes_the_source_of_a_record_it_lacked():
    from sites.models import DataSource

    reviewer = make_member("reviewer-id", Role.REVIEWER, "ID")
    source = DataSource.objects.create(name="GEM tracker")
    kept = make_site(name="Tambang")
    duplicate = make_site(name="Tambang", data_source=source, source_record_id="M1", source_record_key="M1")
    merge_sites(survivor=kept, removed=duplicate, by=reviewer)
    kept.refresh_from_db()
    assert (kept.data_source, kept.source_record_id, kept.source_record_key) == (source, "M1", "M1")
