"""Thai and Khmer on screen: the map, a site page and the report in each, drawn with Debian's Noto fonts.

The screenshots are the README's; the checks are what a reader needs: the page says its language, names
a font for the script, a font on the machine covers it, and the map's scripts speak it too.
"""

import gettext
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from sites.demo import load_demo
from sites.models import MineSite
from tests.e2e.conftest import wait_for_at_least

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).parent / "screenshots"
SCRIPTS = {"th": ("Noto Sans Thai", "เหมืองถ่านหินบ้านปู"), "km": ("Noto Sans Khmer", "អណ្ដូងរ៉ែធ្យូងថ្មបានពូ")}
SITE_SYMBOLS = ".leaflet-tile-pane svg path.leaflet-interactive"


@pytest.fixture
def demo(transactional_db, live_server):
    load_demo()
    site = MineSite.objects.filter(is_published=True).order_by("pk").first()
    names = {code: sample for code, (_font, sample) in SCRIPTS.items()}
    MineSite.objects.filter(pk=site.pk).update(local_names=names)
    return live_server.url, site.pk


def installed_font_covers(code: str) -> list[str]:
    """The fonts fontconfig finds for a language: what Chromium falls back to when drawing it."""
    listing = subprocess.run(["fc-list", f":lang={code}", "family"], capture_output=True, text=True, check=True)
    return [line for line in listing.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("code", sorted(SCRIPTS))
def test_the_map_a_site_and_the_report_in_thai_and_khmer(demo, browser_session, code):
    base, site_id = demo
    font, local_name = SCRIPTS[code]
    assert any("Noto" in family for family in installed_font_covers(code)), f"no Noto font covers {code}"
    scripts_catalogue = gettext.translation("djangojs", localedir=settings.LOCALE_PATHS[0], languages=[code])
    thousands = scripts_catalogue.gettext("%(thousands)sk")
    page = browser_session.page
    SCREENSHOTS.mkdir(exist_ok=True)

    page.goto(f"{base}/{code}/")
    assert page.get_attribute("html", "lang") == code
    assert font in page.evaluate("getComputedStyle(document.body).fontFamily")
    page.locator(SITE_SYMBOLS).first.wait_for(state="visible")
    # The map's own script reads the JavaScript catalogue of the page's language.
    assert page.evaluate("gettext('%(thousands)sk')") == thousands != "%(thousands)sk"
    page.screenshot(path=str(SCREENSHOTS / f"map-{code}.png"))

    page.goto(f"{base}/{code}/sites/{site_id}/")
    assert page.locator("h1").inner_text().startswith(local_name)  # the reader's name for the site first
    wait_for_at_least(page.locator(".site-map .leaflet-marker-icon, .site-map path"), 1)
    page.screenshot(path=str(SCREENSHOTS / f"site-{code}.png"), full_page=False)

    page.goto(f"{base}/{code}/reports/")
    assert page.get_attribute("html", "lang") == code
    page.screenshot(path=str(SCREENSHOTS / f"report-{code}.png"), full_page=False)
    assert browser_session.errors == []
