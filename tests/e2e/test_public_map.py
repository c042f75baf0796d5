"""A visitor's journey on the public map: site tiles, overlays, filters, identify, a site's page; no CDNs."""

from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from remediation.models import STAGE_COLOURS, MeasureStage
from sites.demo import load_demo
from sites.models import MineSite
from tests.e2e.conftest import wait_for_at_least
from tests.remediation.conftest import make_measure

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path(__file__).parent / "screenshots" / "public-map.png"
BASE_MAP_TILE_HOSTS = {"tile.openstreetmap.org"}


@pytest.fixture
def demo_site_url(transactional_db, live_server):
    load_demo()
    return live_server.url


def overlay_paths(page) -> int:
    return page.locator(".leaflet-overlay-pane path").count()


def record_tile_responses(page) -> list[tuple[str, int]]:
    """Every answer to a /tiles/ request the page makes, as (url, status)."""
    responses: list[tuple[str, int]] = []
    page.on("response", lambda answer: "/tiles/" in answer.url and responses.append((answer.url, answer.status)))
    return responses


SITE_SYMBOLS = ".leaflet-tile-pane svg path.leaflet-interactive"


def test_visitor_browses_the_map_toggles_an_overlay_and_filters(demo_site_url, browser_session):
    page = browser_session.page
    tile_responses = record_tile_responses(page)
    page.goto(demo_site_url + "/")

    # Sites arrive as vector tiles drawn in SVG: clusters are circles with their count written in them.
    page.locator(SITE_SYMBOLS).first.wait_for(state="visible")
    page.locator(".leaflet-tile-pane text.cluster-count").first.wait_for(state="visible")
    assert page.locator("#site-count").inner_text() == "575"
    site_tiles = [(url, status) for url, status in tile_responses if "/tiles/sites/" in url]
    assert site_tiles and all(status == 200 for _url, status in site_tiles)
    # Outlines, faults and mining areas arrive after the page: 11 + 234 + 18 shapes.
    wait_for_at_least(page.locator(".leaflet-overlay-pane path"), 263)
    with_faults = overlay_paths(page)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    page.locator(".leaflet-control-layers-overlays label", has_text="Active faults").locator("input").uncheck()
    assert overlay_paths(page) == with_faults - 234

    page.select_option("select[name=status]", "closed")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/?*status=closed*")
    assert page.locator("#site-count").inner_text() == "9"
    page.locator(SITE_SYMBOLS).first.wait_for(state="visible")
    filtered_tiles = [(url, status) for url, status in tile_responses if "status=closed" in url]
    assert filtered_tiles and all(status == 200 for _url, status in filtered_tiles)

    assert browser_session.errors == []
    assert browser_session.external_hosts() <= BASE_MAP_TILE_HOSTS


def test_visitor_opens_a_site_from_its_popup(demo_site_url, browser_session):
    page = browser_session.page
    page.goto(demo_site_url + "/?country=KH")  # Cambodia has one site: a site symbol, not a cluster
    marker = page.locator(SITE_SYMBOLS).first
    marker.wait_for(state="visible")
    marker.click()
    link = page.locator(".site-popup a")
    assert link.inner_text() == "Han Seng Coal Mine"
    link.click()
    page.wait_for_url("**/sites/*/")
    assert page.locator("h1").inner_text().startswith("Han Seng Coal Mine")
    page.locator(".site-map path.leaflet-interactive").first.wait_for(state="visible")
    assert browser_session.errors == []
    assert browser_session.external_hosts() <= BASE_MAP_TILE_HOSTS


@pytest.fixture
def demo_with_treated_area(transactional_db, live_server):
    """The demo plus one published measure whose treated area lies 5 km from its site, clear of the symbol."""
    load_demo()
    site = MineSite.objects.get(name="Han Seng Coal Mine")
    lon, lat = site.location.x + 0.05, site.location.y + 0.05
    area = MultiPolygon(Polygon.from_bbox((lon - 0.005, lat - 0.005, lon + 0.005, lat + 0.005)), srid=4326)
    make_measure(site, treated_area=area, stage=MeasureStage.WORKS_IN_PROGRESS, is_published=True)
    return live_server.url, (lat, lon)


def test_visitor_switches_on_remediation_areas_and_identifies_one(demo_with_treated_area, browser_session):
    url, centre = demo_with_treated_area
    page = browser_session.page
    tile_responses = record_tile_responses(page)
    page.goto(url + "/?country=KH")
    page.locator(SITE_SYMBOLS).first.wait_for(state="visible")
    page.locator(".leaflet-control-layers-overlays label", has_text="Remediation areas").locator("input").check()
    page.evaluate("centre => window[document.querySelector('.folium-map').id].setView(centre, 13)", list(centre))

    area = page.locator(f'.leaflet-tile-pane path[fill="{STAGE_COLOURS[MeasureStage.WORKS_IN_PROGRESS]}"]').first
    area.wait_for(state="visible")
    remediation_tiles = [(url, status) for url, status in tile_responses if "/tiles/remediation/" in url]
    assert remediation_tiles and all(status == 200 for _url, status in remediation_tiles)
    area.click()
    popup = page.locator(".record-popup")
    popup.wait_for(state="visible")
    assert "Works in progress" in popup.inner_text() and "Han Seng Coal Mine" in popup.inner_text()
    assert browser_session.errors == []
    assert browser_session.external_hosts() <= BASE_MAP_TILE_HOSTS


def test_on_a_phone_the_map_fills_the_screen_and_wide_pages_scroll_inside_their_tables(demo_site_url, browser_session):
    page = browser_session.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{demo_site_url}/")
    page.wait_for_selector(SITE_SYMBOLS)
    # Folded: the panel and the layer list would otherwise cover most of the map.
    assert page.evaluate("document.getElementById('map-panel').open") is False
    assert page.locator(".leaflet-control-layers-expanded").count() == 0
    assert not page.locator("#id_status").is_visible()
    page.click("#map-panel > summary")
    assert page.locator("#id_status").is_visible()
    map_box = page.locator(".map-frame").bounding_box()
    assert map_box["width"] == 390 and map_box["height"] > 700
    # The sites list, a layer's attribute table and the report's charts are wider than a phone: they scroll,
    # the page does not.
    page.goto(f"{demo_site_url}/layers/")
    page.click("text=Active faults")
    page.wait_for_selector(".attribute-table")
    for url in (f"{demo_site_url}/sites/", page.url, f"{demo_site_url}/reports/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
