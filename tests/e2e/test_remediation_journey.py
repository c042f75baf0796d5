"""An officer records a measure with its area and a photo, a reviewer publishes it, the public sees it."""

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from PIL import Image
from playwright.sync_api import expect

from access.models import Membership, Role
from tests.conftest import make_site
from tests.e2e.conftest import wait_for_at_least

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path(__file__).parent / "screenshots" / "site-remediation.png"


@pytest.fixture
def journey(transactional_db, live_server, tmp_path, settings):
    """Rows and files made before the browser starts (Playwright's loop forbids ORM calls afterwards)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    site = make_site(name="Sangihe pit", country="ID", location=Point(121.505, -2.495, srid=4326))
    for username, role in (("officer", Role.ENVIRONMENTAL_OFFICER), ("reviewer", Role.REVIEWER)):
        user = User.objects.create_user(username, password="a-long-test-password", first_name=username.title())
        Membership.objects.create(user=user, role=role, country="ID")
    photo = tmp_path / "capped-shaft.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 140, 60)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    return {"url": live_server.url, "site": site.pk, "photo": photo}


def sign_in(page, base: str, username: str, then: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={then}")
    page.fill("#id_username", username)
    page.fill("#id_password", "a-long-test-password")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"**{then}")


def draw_square_on_the_map(page, map_selector: str) -> None:
    """Click four corners and the first again to close the ring: OpenLayers' polygon drawing, as a person does it."""
    page.locator(map_selector).scroll_into_view_if_needed()
    box = page.locator(map_selector).bounding_box()
    left, top = box["x"] + box["width"] / 2 - 100, box["y"] + box["height"] / 2 - 100
    for dx, dy in ((0, 0), (200, 0), (200, 200), (0, 200), (0, 0)):
        page.mouse.move(left + dx - 5, top + dy - 5)
        page.mouse.move(left + dx, top + dy, steps=3)
        page.mouse.down()
        page.mouse.up()
        page.wait_for_timeout(300)
    expect(page.locator("#id_treated_area")).to_have_value(re.compile("MultiPolygon"))


def test_measure_is_recorded_published_and_seen_by_the_public(journey, browser_session):
    page, base, site_path = browser_session.page, journey["url"], f"/sites/{journey['site']}/"

    sign_in(page, base, "officer", site_path)
    page.click("text=Record a measure")
    page.select_option("#id_measure_type", "revegetation")
    draw_square_on_the_map(page, "#id_treated_area_map")
    page.fill("#id_description", "Native grasses on the waste dump")
    page.click("form.record-form button[type=submit]")
    page.wait_for_url(f"**{site_path}*")
    assert "saved as a draft" in page.content()
    page.click("article.measure >> text=Add evidence")
    page.set_input_files("#id_file", str(journey["photo"]))
    page.fill("#id_caption", "Shaft capped and seeded")
    page.click("form.record-form button[type=submit]")
    page.wait_for_url(f"**{site_path}*")

    page.context.clear_cookies()
    page.goto(base + site_path)
    assert page.locator("article.measure").count() == 0  # still a draft

    sign_in(page, base, "reviewer", site_path)
    page.locator("article.measure button", has_text="Publish").click()
    page.wait_for_url(f"**{site_path}*")
    page.locator("ul.evidence button", has_text="Publish").click()
    page.wait_for_url(f"**{site_path}*")

    page.context.clear_cookies()
    page.goto(base + site_path)
    measure = page.locator("article.measure")
    assert "Revegetation" in measure.inner_text()
    # 200 x 200 pixels at zoom 14 near the equator: about 1.9 km square, some 360 ha.
    assert re.search(r"Area: 3\d\d\.\d\d ha treated", measure.inner_text())
    thumbnail = page.locator("ul.evidence img.thumbnail")
    thumbnail.wait_for(state="visible")
    assert page.evaluate("img => img.naturalWidth", thumbnail.element_handle()) > 0
    # The treated area is drawn on the site's map from the GeoJSON endpoint.
    wait_for_at_least(page.locator(".leaflet-overlay-pane path"), 1)
    assert "Officer" not in page.locator("section.remediation").inner_text()
    page.locator("section.remediation").screenshot(path=str(SCREENSHOT))
    assert browser_session.errors == []
    assert browser_session.external_hosts() <= {"tile.openstreetmap.org"}
