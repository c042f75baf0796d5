"""The production path: collectstatic + gunicorn + whitenoise with hashed assets, seen by Chromium."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from django.db import connection

from sites.demo import load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def url_of_the_test_database() -> str:
    db = connection.settings_dict
    return f"postgis://{quote(db['USER'])}:{quote(db['PASSWORD'])}@/{db['NAME']}?host={db['HOST']}&port={db['PORT']}"


@pytest.fixture
def gunicorn_url(transactional_db, tmp_path):
    load_demo()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url_of_the_test_database(),
        "DEBUG": "0",
        "SECRET_KEY": "served-by-gunicorn-test",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    subprocess.run(
        [VENV_BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True
    )
    port = free_port()
    server = subprocess.Popen(
        [VENV_BIN / "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"], cwd=BASE_DIR, env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        connection.close()  # gunicorn's connections are gone; ours reconnects for the flush


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
