"""Never a 500 for any query string: generated queries over the parameters of /api/sites/ and of the OGC items.

Hypothesis draws each known parameter (and an unknown one) with values from well-formed ones
through edge cases (offsets beyond a day, years 0 and 10000, huge numbers, NUL bytes) to any text.
Whatever it draws, the answer is a page or a 400 that says why, never a server error.
"""

import pytest
from django.contrib.gis.geos import Point
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_site

pytestmark = pytest.mark.django_db

ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
NUMBER = st.one_of(st.integers(-(10**20), 10**20).map(str), st.floats(allow_nan=True).map(str))
INSTANT = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.builds(
        lambda year, hours, minutes, sign: f"{year:04d}-01-01T00:30:00{sign}{hours:02d}:{minutes:02d}",
        st.sampled_from([1, 2024, 9999]),
        st.integers(0, 99),
        st.integers(0, 99),
        st.sampled_from(["+", "-"]),
    ),
    st.dates().map(str),
    st.sampled_from(["..", "../..", "", "2024-02-30", "10000-01-01", "0000-01-01T00:00:00Z"]),
)
BBOX = st.lists(NUMBER, min_size=0, max_size=7).map(",".join)
SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def sites(db):
    return [make_site(name=f"Site {number}", location=Point(100 + number, 5, srid=4326)) for number in range(3)]


def query(known: dict) -> st.SearchStrategy:
    """A query string: any subset of the known parameters, each with its own values or any text, maybe an unknown."""
    values = {name: st.one_of(strategy, ANY_TEXT) for name, strategy in known.items()}
    return st.fixed_dictionaries({}, optional={**values, "unknown": ANY_TEXT})


SITES_API = {
    "bbox": BBOX,
    "country": st.sampled_from(["ID", "VN", "XX", ""]),
    "status": st.sampled_from(["abandoned", "closed", "nope", ""]),
    "commodity": st.sampled_from(["gold", "coal", "nope", ""]),
    "updated_since": INSTANT,
    "page_size": NUMBER,
    "cursor": ANY_TEXT,
    "ordering": st.sampled_from(["id", "-id", "name", "nope"]),
}
OGC_ITEMS = {
    "bbox": BBOX,
    "bbox-crs": st.sampled_from(["http://www.opengis.net/def/crs/OGC/1.3/CRS84", "EPSG:4326"]),
    "datetime": st.one_of(INSTANT, st.tuples(INSTANT, INSTANT).map("/".join)),
    "limit": NUMBER,
    "offset": NUMBER,
    "after": NUMBER,
    "f": st.sampled_from(["json", "html", "xml", ""]),
}


@SETTINGS
@given(params=query(SITES_API))
def test_the_sites_api_never_answers_a_server_error(client, sites, params):
    cache.clear()  # the anonymous throttle would answer 429 after a few dozen examples
    response = client.get("/api/sites/", params)
    # A cursor the API did not write is a 404 (no such page); everything else it refuses is a 400.
    expected = (200, 400, 404) if "cursor" in params else (200, 400)
    assert response.status_code in expected, (params, response.status_code, response.content[:300])
    assert response.status_code == 200 or "error" in response.json()


@SETTINGS
@given(params=query(OGC_ITEMS))
def test_the_ogc_sites_items_never_answer_a_server_error(client, sites, params):
    response = client.get("/ogc/collections/sites/items", params)
    assert response.status_code in (200, 400), (params, response.status_code, response.content[:300])
    if response.status_code == 400 and params.get("f") != "html":
        assert response.json()["code"] == "InvalidParameterValue"
