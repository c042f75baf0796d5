"""Every page carries a Content-Security-Policy, and under it the pages' scripts still run and the maps draw.

Chromium reports each blocked script, style or image as a `securitypolicyviolation` event and a console
error; the test collects both on the public map, a site page, the layer upload page and a hazard form
(GeoDjango's OpenLayers widget), and finds none.
"""

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point

from access.models import Membership, Role
from tests.conftest import make_site

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long passphrase"
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
    window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI + " " + event.sourceFile);
});
"""


@pytest.fixture
def mapped(transactional_db, live_server):
    """Created before the browser starts (Django refuses ORM calls inside Playwright's event loop)."""
    site = make_site(name="Policy mine", location=Point(121.5, -2.5, srid=4326))
    make_site(name="Second policy mine", location=Point(110.2, 1.5, srid=4326))
    person = User.objects.create_user("geologist", password=PASSWORD)
    Membership.objects.create(user=person, country="ID", role=Role.SURVEY_UPLOADER)
    Membership.objects.create(user=person, country="ID", role=Role.ENVIRONMENTAL_OFFICER)
    return live_server.url, site


def test_no_page_breaks_the_policy_and_the_maps_still_draw(mapped, browser_session):
    base, site = mapped
    page = browser_session.page
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)

    def violations() -> list[str]:
        found = page.evaluate("window.__cspViolations")
        return found + [text for text in console if "Content Security Policy" in text]

    response = page.goto(f"{base}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in policy and "object-src 'none'" in policy
    page.locator(".leaflet-tile-pane svg path.leaflet-interactive").first.wait_for(state="visible")
    assert violations() == []

    page.goto(f"{base}/sites/{site.pk}/")
    page.locator(".site-map path.leaflet-interactive").first.wait_for(state="visible")
    assert violations() == []

    page.goto(f"{base}/accounts/login/?next=/layers/upload/")
    page.fill("input[name=username]", "geologist")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/layers/upload/")
    page.locator("input[name=file]").wait_for(state="visible")
    assert violations() == []

    page.goto(f"{base}/remediation/sites/{site.pk}/hazards/new/")
    page.locator(".dj_map .ol-viewport").first.wait_for(state="attached")  # OpenLayers started the widget
    assert page.evaluate("typeof window.geodjango_location") == "object"
    assert violations() == []
    assert browser_session.errors == []
