"""Paging through the sites list as a reader does: first, next, previous, last and letter links, filters kept."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User

from access.models import Country, Membership, Role
from sites import listing
from sites.models import MineSite, SiteStatus
from tests.conftest import make_site

pytestmark = pytest.mark.django_db

PER_PAGE = 5


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(listing, "SITES_PER_PAGE", PER_PAGE)


@pytest.fixture
def sites():
    """Twenty-three published sites named B00, B00, B01 … M03, tying in pairs across page edges, and three drafts."""
    published = [
        make_site(
            name=f"{'BKM'[number // 8]}{number % 8 // 2:02d}",
            country=Country.PHILIPPINES if number % 2 else Country.INDONESIA,
            status=SiteStatus.CLOSED if number % 4 == 0 else SiteStatus.ACTIVE,
        )
        for number in range(23)
    ]
    drafts = [make_site(name=name, country=Country.INDONESIA, is_published=False) for name in ("B00", "K05", "M99")]
    return published, drafts


def in_order(sites) -> list[int]:
    return [site.pk for site in sorted(sites, key=lambda site: (site.name, site.pk))]


def shown(response) -> list[int]:
    return [site.pk for site in response.context["page"].sites]


def walk(client, url: str, direction: str) -> list[list[int]]:
    """The pages met following the `direction` link ("next" or "previous") from `url` until there is none."""
    pages = []
    while url:
        response = client.get("/sites/" + url)
        assert response.status_code == 200
        pages.append(shown(response))
        url = getattr(response.context["links"], direction)
        assert len(pages) < 50, "the links go round in circles"
    return pages


def test_next_links_go_through_every_published_site_once_in_name_then_id_order(client, sites):
    published, _drafts = sites
    pages = walk(client, "?", "next")
    assert [site for page in pages for site in page] == in_order(published)
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]


def test_previous_links_from_the_last_page_go_back_through_every_site(client, sites):
    published, _drafts = sites
    last = client.get("/sites/").context["links"].last
    pages = walk(client, last, "previous")
    assert [site for page in reversed(pages) for site in page] == in_order(published)
    assert pages[0] == in_order(published)[-PER_PAGE:]  # the last page holds the last names


def test_equal_names_keep_their_id_order_across_a_page_edge(client, sites):
    first = client.get("/sites/")
    second = client.get("/sites/" + first.context["links"].next)
    edge = [first.context["page"].sites[-1], second.context["page"].sites[0]]
    assert edge[0].name == edge[1].name == "B02" and edge[0].pk < edge[1].pk  # one on each page, in id order


def test_previous_from_the_second_page_is_the_first_page_and_first_goes_back_to_it(client, sites):
    first = client.get("/sites/")
    second = client.get("/sites/" + first.context["links"].next)
    assert shown(client.get("/sites/" + second.context["links"].previous)) == shown(first)
    assert shown(client.get("/sites/" + second.context["links"].first)) == shown(first)


def test_the_first_page_offers_no_way_back_and_the_last_none_forward(client, sites):
    first = client.get("/sites/").context["links"]
    assert first.first is first.previous is None and first.next and first.last
    last = client.get("/sites/" + first.last).context["links"]
    assert last.next is last.last is None and last.previous and last.first


def test_a_letter_starts_at_the_first_name_from_that_letter(client, sites):
    published, _drafts = sites
    response = client.get("/sites/?from=K")
    names = [site.name for site in response.context["page"].sites]
    assert names[0] == "K00" and names == sorted(names)
    before = walk(client, response.context["links"].previous, "previous")
    assert [site for page in reversed(before) for site in page] == [
        site for site in in_order(published) if MineSite.objects.get(pk=site).name < "K"
    ]


def test_a_letter_without_names_lands_on_the_next_letters_names(client, sites):
    assert client.get("/sites/?from=C").context["page"].sites[0].name == "K00"


def test_a_letter_past_the_last_name_says_so_and_links_to_the_first_and_last_pages(client, sites):
    response = client.get("/sites/?from=X")
    html = response.content.decode()
    assert response.status_code == 200 and not response.context["page"].sites
    assert "No site name comes at or after “X”" in html
    links = response.context["links"]
    assert shown(client.get("/sites/" + links.first)) == shown(client.get("/sites/"))
    assert links.last and links.previous is links.next is None


def test_the_letter_links_mark_the_current_letter(client, sites):
    html = client.get("/sites/?from=K").content.decode()
    assert re.search(r'<a href="\?from=K" aria-current="page">K</a>', html)
    assert '<a href="?from=M">M</a>' in html


@pytest.mark.parametrize("filters", [{"country": "PH"}, {"country": "ID", "status": "closed"}, {"q": "b0"}])
def test_every_link_keeps_the_filters_and_search(client, sites, filters):
    published, _drafts = sites
    matching = MineSite.objects.filter(pk__in=[site.pk for site in published])
    if "country" in filters:
        matching = matching.filter(country=filters["country"])
    if "status" in filters:
        matching = matching.filter(status=filters["status"])
    if "q" in filters:
        matching = matching.filter(name__icontains=filters["q"])
    query = "?" + "&".join(f"{name}={value}" for name, value in filters.items())
    pages = walk(client, query, "next")
    assert [site for page in pages for site in page] == in_order(matching)
    assert len(pages) > 1  # the filters keep more than a page, so the links were followed
    response = client.get("/sites/" + client.get("/sites/" + query).context["links"].next)
    links = response.context["links"]
    for link in [links.first, links.previous, links.next, links.last, *(link for _, link, _ in links.letters)]:
        if link:
            kept = {name: values[0] for name, values in parse_qs(urlsplit(link).query).items() if name in filters}
            assert kept == filters, link


def test_the_public_never_sees_a_draft_but_staff_and_the_countrys_uploader_do(client, sites):
    published, drafts = sites
    assert sum(walk(client, "?", "next"), []) == in_order(published)
    assert client.get("/sites/").context["page"].count == len(published)
    assert not client.get("/sites/?from=M9").context["page"].sites  # the draft M99 is the only name from M9 on
    staff = User.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(staff)
    assert sum(walk(client, "?", "next"), []) == in_order(published + drafts)
    uploader = User.objects.create_user("uploader", password="pw")
    Membership.objects.create(user=uploader, role=Role.SURVEY_UPLOADER, country=Country.INDONESIA)
    client.force_login(uploader)
    from_k = [pk for pk in in_order(published + drafts) if MineSite.objects.get(pk=pk).name >= "K"]
    assert sum(walk(client, "?from=K", "next"), []) == from_k and drafts[1].pk in from_k


def test_a_draft_is_not_shown_to_the_public_even_when_a_link_names_it(client, sites):
    _published, drafts = sites
    response = client.get(f"/sites/?after=K05&after_id={drafts[1].pk - 1}")
    assert [site.name for site in response.context["page"].sites] == ["M00", "M00", "M01", "M01", "M02"]


@pytest.mark.parametrize(
    "query",
    [
        "?after=B01",
        "?after=B01&after_id=x",
        "?after=B01&after_id=%C2%B2",  # a superscript two
        "?before_id=3",
        "?after=B01&after_id=99999999999999999999",
    ],
)
def test_a_damaged_page_link_is_refused_with_a_way_back(client, sites, query):
    response = client.get("/sites/" + query + "&country=PH")
    html = response.content.decode()
    assert response.status_code == 400
    assert "This page link is incomplete" in html and 'href="?country=PH">First page</a>' in html


def test_a_name_no_site_could_have_is_refused(client, sites):
    response = client.get("/sites/?from=" + "K" * 256)
    assert response.status_code == 400 and "This page link does not hold a site name" in response.content.decode()
    assert client.get("/sites/?after=K%00&after_id=3").status_code == 400


def test_the_count_and_the_names_of_the_page_are_shown(client, sites):
    html = client.get("/sites/").content.decode()
    assert "23 sites" in html and "this page: names from “B00” to “B02”" in html


def test_a_search_matching_more_than_it_counts_says_more_than_and_still_pages_to_the_end(client, sites, monkeypatch):
    published, _drafts = sites
    monkeypatch.setattr(listing, "SEARCH_COUNT_LIMIT", 7)
    first = client.get("/sites/?q=0")  # every published name holds a 0
    assert "more than 7 sites" in first.content.decode()
    assert sum(walk(client, "?q=0", "next"), []) == in_order(published)
    monkeypatch.setattr(listing, "SEARCH_COUNT_LIMIT", 23)
    html = client.get("/sites/?q=0").content.decode()
    assert "23 sites" in html and "more than" not in html


def test_a_list_on_one_page_shows_no_page_links(client):
    make_site(name="Alone")
    html = client.get("/sites/").content.decode()
    assert "1 site" in html and 'aria-label="Pages"' not in html and "Names from:" not in html


def test_an_empty_registry_says_so_without_blaming_filters(client):
    html = client.get("/sites/").content.decode()
    assert "There are no sites to show yet." in html and "No site matches these filters" not in html
