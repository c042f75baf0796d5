"""The sites list filtered by a data-quality flag: only flagged sites, paged by keyset, and a bad flag said clearly."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.gis.geos import Point

from sites import listing
from sites.models import MineSite, QualityFlag
from sites.quality import flag_quality_issues
from tests.conftest import make_site

pytestmark = pytest.mark.django_db

PER_PAGE = 3


@pytest.fixture
def sites(monkeypatch):
    """Seven sites missing their commodities (interleaved by name with complete ones) and one pair at one point."""
    monkeypatch.setattr(listing, "SITES_PER_PAGE", PER_PAGE)
    gaps = [
        make_site(name=f"Site {number:02d}", commodities=[], location=Point(100 + number, 10, srid=4326))
        for number in range(0, 14, 2)
    ]
    for number in range(1, 14, 2):
        make_site(name=f"Site {number:02d}", location=Point(100 + number, 10, srid=4326))
    together = [make_site(name=f"Twin {number}", location=Point(120, 0, srid=4326)) for number in range(2)]
    flag_quality_issues()
    return gaps, together


def test_the_flag_filter_lists_only_the_flagged_sites(client, sites):
    _gaps, together = sites
    page = client.get("/sites/", {"flag": QualityFlag.DUPLICATE_COORDINATES})
    assert page.status_code == 200
    assert [site.pk for site in page.context["page"].sites] == [site.pk for site in together]
    assert page.context["page"].count == 2


def test_the_flagged_sites_page_through_by_keyset(client, sites):
    gaps, _together = sites
    seen, query = [], {"flag": QualityFlag.MISSING_KEY_FIELDS}
    while True:
        page = client.get("/sites/", query)
        assert page.context["page"].count == len(gaps)
        seen += [site.pk for site in page.context["page"].sites]
        if not page.context["links"].next:
            break
        query = {name: values[0] for name, values in parse_qs(urlsplit(page.context["links"].next).query).items()}
        assert query["flag"] == QualityFlag.MISSING_KEY_FIELDS and "after_id" in query
    assert seen == [site.pk for site in gaps]


def test_the_flag_filter_and_the_country_filter_combine(client, sites):
    gaps, _together = sites
    MineSite.objects.filter(pk=gaps[0].pk).update(country="PH")
    page = client.get("/sites/", {"flag": QualityFlag.MISSING_KEY_FIELDS, "country": "PH"})
    assert [site.pk for site in page.context["page"].sites] == [gaps[0].pk]


def test_a_bad_flag_is_a_clear_filter_error(client, sites):
    response = client.get("/sites/", {"flag": "nope"})
    assert response.status_code == 400
    assert "Quality flags: “nope” is not a known value for this filter." in response.content.decode()


def test_the_api_filters_by_flag_too(client, sites):
    _gaps, together = sites
    response = client.get("/api/sites/", {"flag": QualityFlag.DUPLICATE_COORDINATES})
    assert response.status_code == 200
    assert sorted(feature["id"] for feature in response.json()["features"]) == [site.pk for site in together]
    assert client.get("/api/sites/", {"flag": "nope"}).status_code == 400
