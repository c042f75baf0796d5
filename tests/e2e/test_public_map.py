"""A visitor's journey on the public map: sites, overlays, filters, a site's page; nothing from CDNs."""

from pathlib import Path

import pytest

from sites.demo import load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path(__file__).parent / "screenshots" / "public-map.png"
BASE_MAP_TILE_HOSTS = {"tile.openstreetmap.org"}


@pytest.fixture
def demo_site_url(transactional_db, live_server):
    load_demo()
    return live_server.url


def overlay_paths(page) -> int:
    return page.locator(".leaflet-overlay-pane path").count()


def test_visitor_browses_the_map_toggles_an_overlay_and_filters(demo_site_url, browser_session):
    page = browser_session.page
    page.goto(demo_site_url + "/")

    page.locator(".marker-cluster").first.wait_for(state="visible")
    assert page.locator("#site-count").inner_text() == "575"
    # Outlines, faults and mining areas arrive after the page: 11 + 234 + 18 shapes.
    page.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane path').length >= 263")
    with_faults = overlay_paths(page)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    page.locator(".leaflet-control-layers-overlays label", has_text="Active faults").locator("input").uncheck()
    assert overlay_paths(page) == with_faults - 234

    page.select_option("select[name=status]", "closed")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/?*status=closed*")
    assert page.locator("#site-count").inner_text() == "9"
    assert (
        page.locator(".marker-cluster, .leaflet-marker-pane .leaflet-interactive, path.leaflet-interactive").count() > 0
    )

    assert browser_session.errors == []
    assert browser_session.external_hosts() <= BASE_MAP_TILE_HOSTS


def test_visitor_opens_a_site_from_its_popup(demo_site_url, browser_session):
    page = browser_session.page
    page.goto(demo_site_url + "/?country=KH")  # Cambodia has one site: a marker, not a cluster
    marker = page.locator("path.leaflet-interactive").first
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
