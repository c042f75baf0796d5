"""The sites list at any size: counts from the cluster table, keyset pages along the index, the same answers."""

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from access.models import Country, Membership, Role
from sites.listing import Position, site_list_page
from sites.models import Commodity, MineSite, SiteStatus
from sites.queries import filtered_sites
from tests.conftest import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites():
    """Twenty-three sites whose names tie in pairs (the id breaks ties), some of them drafts."""
    return [
        make_site(
            name=f"Pit {number // 2:02d}",
            country=Country.PHILIPPINES if number % 3 else Country.INDONESIA,
            status=SiteStatus.CLOSED if number % 4 == 0 else SiteStatus.ACTIVE,
            commodities=[Commodity.GOLD] if number % 5 == 0 else [Commodity.NICKEL],
            is_published=number % 7 != 0,
        )
        for number in range(23)
    ]


def matching(sites, filters: dict):
    """The sites the list's country, status and commodity filters keep, written out plainly."""
    if "country" in filters:
        sites = sites.filter(country=filters["country"])
    if "status" in filters:
        sites = sites.filter(status=filters["status"])
    if "commodity" in filters:
        sites = sites.filter(commodities__contains=[filters["commodity"]])
    return sites


@pytest.mark.parametrize(
    "filters",
    [{}, {"country": "PH"}, {"status": "closed"}, {"commodity": "gold"}, {"country": "ID", "status": "active"}],
)
def test_the_count_from_the_cluster_table_is_the_count_of_the_sites(client, sites, filters):
    staff = User.objects.create_user("staff", password="pw", is_staff=True)
    for user, visible in ((None, MineSite.objects.filter(is_published=True)), (staff, MineSite.objects.all())):
        expected = matching(visible, filters)
        with CaptureQueriesContext(connection) as queries:
            page = site_list_page(user, {**filters, "q": ""}, Position())
        assert page.count == expected.count()
        assert not any("COUNT(" in query["sql"] for query in queries)  # no site was counted


@pytest.mark.parametrize(
    "filters", [{}, {"status": "closed"}, {"country": "PH"}, {"country": "ID"}, {"commodity": "gold"}]
)
@pytest.mark.parametrize("countries", [["ID"], ["ID", "PH"]])
def test_an_uploader_counts_the_published_sites_and_only_their_countries_drafts_from_the_cluster_table(
    sites, filters, countries
):
    make_site(name="Draft elsewhere", country=Country.VIETNAM, is_published=False)
    uploader = User.objects.create_user("uploader", password="pw")
    for country in countries:
        Membership.objects.create(user=uploader, role=Role.SURVEY_UPLOADER, country=country)
    with CaptureQueriesContext(connection) as queries:
        page = site_list_page(uploader, {**filters, "q": ""}, Position())
    expected = matching(MineSite.objects.filter(Q(is_published=True) | Q(country__in=countries)), filters)
    assert page.count == expected.count()
    assert not any("COUNT(" in query["sql"] for query in queries)  # no site was counted


def test_a_search_is_counted_row_by_row(sites):
    assert site_list_page(None, {"q": "pit 01"}, Position()).count == 2


@pytest.mark.parametrize(
    "position", [Position(), Position(after=("Pit 03", 0)), Position(before=("Pit 08", 0)), Position(start="Pit 05")]
)
def test_a_search_of_several_pages_counts_every_match_on_each(sites, position):
    """Most published sites are named Pit 00 … Pit 09 (not Pit 10, Pit 11): a page of three holds a few of them."""
    published = MineSite.objects.filter(is_published=True, name__regex=r"^Pit 0")
    with CaptureQueriesContext(connection) as queries:
        page = site_list_page(None, {"q": "pit 0"}, position, per_page=3)
    assert page.sites and page.count == published.count() > 3
    # In any order: read along the names, a search for names of one stretch would first read every name before it.
    (counted,) = [query["sql"] for query in queries if "COUNT(" in query["sql"]]
    assert "ORDER BY" not in counted


@pytest.mark.parametrize("position", [Position(start="Q"), Position(after=("Q", 0)), Position(before=("A", 0))])
def test_a_search_page_past_its_matches_still_counts_them(sites, position):
    page = site_list_page(None, {"q": "pit 0"}, position)
    assert not page.sites and page.count == MineSite.objects.filter(is_published=True, name__regex=r"^Pit 0").count()


def test_the_search_reads_its_trigram_indexes_instead_of_every_site(sites):
    """The indexes are on the expressions the search writes: if either changes, the plan shows it."""
    search = filtered_sites(MineSite.objects.all(), q="pit 01").order_by().values("id")
    sql, params = search.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small would be scanned anyway
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("site_name_search", "site_operator_search", "site_other_names_search", "site_source_record_search"):
        assert index in plan, plan
    assert search.count() == 2


@pytest.mark.parametrize(
    "position",
    [
        Position(),
        Position(after=("Pit 05", 0)),
        Position(before=("Pit 05", 0)),
        Position(start="P"),
        Position(is_last=True),
    ],
)
def test_no_page_skips_rows_with_an_offset(sites, position):
    with CaptureQueriesContext(connection) as queries:
        page = site_list_page(None, {"country": "PH"}, position, per_page=3)
    assert page.sites and not any("OFFSET" in query["sql"] for query in queries)


def test_a_page_after_a_site_starts_at_that_site_along_the_name_order_index(sites):
    """The comparison must be the index's condition: as a filter, a page in the middle would read the first half."""
    with CaptureQueriesContext(connection) as queries:
        site_list_page(None, {}, Position(after=("Pit 05", 0)), per_page=3)
    read = next(query["sql"] for query in queries if "ROW(" in query["sql"] and '"name" ASC' in query["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {read}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    condition = re.search(r"Index Scan using site_name_order on sites_minesite.*\n\s*Index Cond: (.*)", plan)
    assert condition and "ROW(" in condition[1] and "'Pit 05'" in condition[1], plan
