"""The production path: collectstatic + gunicorn + whitenoise with hashed assets, seen by Chromium."""

import urllib.request
from urllib.parse import urlparse

import pytest

from sites.demo import load_demo
from tests.servers import gunicorn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gunicorn_url(transactional_db, tmp_path):
    load_demo()
    with gunicorn(tmp_path / "static") as url:
        yield url


def test_gunicorn_serves_hashed_assets_and_the_map_draws(gunicorn_url, browser_session):
    page = browser_session.page
    failures = []
    page.on(
        "response", lambda response: response.status >= 400 and failures.append(f"{response.status} {response.url}")
    )
    page.goto(gunicorn_url + "/")
    page.locator(".leaflet-tile-pane svg path.leaflet-interactive").first.wait_for(state="visible")

    scripts = page.eval_on_selector_all("script[src]", "nodes => nodes.map(n => n.getAttribute('src'))")
    leaflet = next(src for src in scripts if "leaflet/leaflet." in src)
    assert leaflet != "/static/vendor/leaflet/leaflet.js", "static names should carry a content hash"
    with urllib.request.urlopen(gunicorn_url + leaflet) as response:
        assert "immutable" in response.headers["Cache-Control"]

    assert failures == []
    assert browser_session.errors == []
    assert {urlparse(url).hostname for url in browser_session.external_requests} <= {"tile.openstreetmap.org"}
