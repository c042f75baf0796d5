"""The sites list at any size: pages read from the nearer end, counts from the cluster table, same answers."""

import pytest
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from access.models import Country, Membership, Role
from sites.listing import NearerEndPaginator, site_list_page
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


@pytest.mark.parametrize(("per_page", "orphans"), [(5, 0), (5, 2), (4, 0), (23, 0), (50, 0)])
def test_every_page_holds_what_a_plain_paginator_gives(sites, per_page, orphans):
    ordered = MineSite.objects.order_by("name", "id")
    plain = Paginator(ordered, per_page, orphans=orphans)
    nearer = NearerEndPaginator(ordered, per_page, orphans=orphans)
    assert nearer.num_pages == plain.num_pages
    for number in plain.page_range:
        assert [site.pk for site in nearer.page(number)] == [site.pk for site in plain.page(number)], number


def test_a_page_past_the_middle_is_read_backwards_from_the_end(sites):
    nearer = NearerEndPaginator(MineSite.objects.order_by("name", "id"), 5)
    with CaptureQueriesContext(connection) as queries:
        list(nearer.page(nearer.num_pages))
    (read,) = [query["sql"] for query in queries if "ORDER BY" in query["sql"]]
    assert '"name" DESC' in read and "OFFSET" not in read  # the last page starts at the end


@pytest.mark.parametrize(
    "filters",
    [{}, {"country": "PH"}, {"status": "closed"}, {"commodity": "gold"}, {"country": "ID", "status": "active"}],
)
def test_the_count_from_the_cluster_table_is_the_count_of_the_sites(client, sites, filters):
    staff = User.objects.create_user("staff", password="pw", is_staff=True)
    for user, visible in ((None, MineSite.objects.filter(is_published=True)), (staff, MineSite.objects.all())):
        expected = matching(visible, filters)
        with CaptureQueriesContext(connection) as queries:
            page = site_list_page(user, {**filters, "q": ""}, 1)
        assert page.paginator.count == expected.count()
        assert not any("COUNT(" in query["sql"] for query in queries)  # no site was counted


@pytest.mark.parametrize("filters", [{}, {"status": "closed"}, {"country": "PH"}, {"commodity": "gold"}])
def test_an_uploader_counts_the_published_sites_and_only_their_countrys_drafts_one_by_one(sites, filters):
    uploader = User.objects.create_user("uploader", password="pw")
    Membership.objects.create(user=uploader, role=Role.SURVEY_UPLOADER, country="ID")
    with CaptureQueriesContext(connection) as queries:
        page = site_list_page(uploader, {**filters, "q": ""}, 1)
    expected = matching(MineSite.objects.filter(Q(is_published=True) | Q(country="ID")), filters)
    assert page.paginator.count == expected.count()
    (counted,) = [query["sql"] for query in queries if "COUNT(" in query["sql"]]
    assert "NOT" in counted and '"is_published"' in counted  # drafts only


def test_a_search_is_counted_row_by_row(sites):
    assert site_list_page(None, {"q": "pit 01"}, 1).paginator.count == 2


def test_the_last_page_of_the_list_shows_the_last_names(client, sites):
    response = client.get("/sites/?page=99")
    names = [site.name for site in response.context["page"]]
    published = MineSite.objects.filter(is_published=True).order_by("name", "id")
    assert names == [site.name for site in published][-len(names) :] and names[-1] == "Pit 11"


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
