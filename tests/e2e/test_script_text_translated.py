"""Text the pages' own scripts write is translated too: the map's popup and a layer's import progress, read in
the browser in the bracketed pseudo-language of tests/test_translation_coverage.py (its JavaScript catalogue
as well as its page catalogue)."""

import time

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point

from access.models import Membership, Role
from geodata.models import Layer, LayerStatus
from tests.conftest import make_site
from tests.e2e.test_remediation_journey import sign_in
from tests.test_translation_coverage import OPEN, PSEUDO, pseudo_locale, unmarked_text  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SITE_SYMBOLS = ".leaflet-tile-pane svg path.leaflet-interactive"


@pytest.fixture
def pseudo_server(settings, pseudo_locale, transactional_db, live_server):  # noqa: F811 (the imported fixture)
    settings.LOCALE_PATHS = [str(pseudo_locale)]
    settings.LANGUAGES = [*settings.LANGUAGES, (PSEUDO, "Pseudo")]
    make_site(name="Data Site Alpha", location=Point(115.0, -1.0, srid=4326))
    # An import in progress is shown to the country's uploaders (the public sees a layer once imported).
    uploader = User.objects.create_user("data-uploader", password="a-long-test-password")
    Membership.objects.create(user=uploader, role=Role.SURVEY_UPLOADER, country="ID")
    layer = Layer.objects.create(
        title="Data Layer Delta",
        country="ID",
        status=LayerStatus.PROCESSING,
        progress_stage="reading",
        progress_percent=40,
    )
    return live_server.url, layer.pk


def text_when(locator, predicate, timeout_s: float = 30) -> str:
    """The locator's text once `predicate` holds for it (read from Python: the pages' CSP refuses eval)."""
    deadline = time.monotonic() + timeout_s
    while True:
        text = locator.text_content() or ""
        if predicate(text) or time.monotonic() > deadline:
            return text
        time.sleep(0.2)


def read_page(page) -> list[str]:
    # The base map's attribution is its owners' licence notice, kept as they write it.
    page.evaluate("document.querySelectorAll('.leaflet-control-attribution').forEach(each => each.remove())")
    return unmarked_text(page.content())


def test_the_scripts_write_only_translated_text(pseudo_server, browser_session):
    base, layer_id = pseudo_server
    page = browser_session.page

    sign_in(page, base, "data-uploader", f"/{PSEUDO}/layers/{layer_id}/")
    # layer-progress.js polls the import and writes its status, stage and percentage.
    assert OPEN in text_when(page.locator("#progress-bar"), lambda text: OPEN in text)
    problems = read_page(page)
    assert problems == [], problems

    page.goto(f"{base}/{PSEUDO}/")
    page.locator(SITE_SYMBOLS).first.wait_for(state="visible")
    page.locator(SITE_SYMBOLS).first.click()
    assert "Data Site Alpha" in text_when(page.locator(".leaflet-popup-content"), lambda text: "Data Site" in text)
    problems = read_page(page)
    assert problems == [], problems
    assert browser_session.errors == []
