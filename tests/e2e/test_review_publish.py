"""Imported sites published in bulk from the review queue, then shown to the public on the map."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from access.models import Membership, Role
from tests.e2e.conftest import wait_for_at_least
from tests.e2e.test_accessibility import violations
from tests.e2e.test_remediation_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Six Indonesian coal mines of Global Energy Monitor's tracker (see tests/data/sites/README.md).
INVENTORY = Path(__file__).resolve().parent.parent / "data" / "sites" / "gem_indonesia_six_coal_mines.geojson"
IMPORTED = 6
SITE_SYMBOLS = ".leaflet-tile-pane svg path.leaflet-interactive"


@pytest.fixture
def registry(transactional_db, live_server, tmp_path, settings):
    """The people, made before the browser starts (Playwright's loop forbids ORM calls afterwards)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    for username, role in (("uploader", Role.SURVEY_UPLOADER), ("reviewer", Role.REVIEWER)):
        user = User.objects.create_user(username, password="a-long-test-password")
        Membership.objects.create(user=user, role=role, country="ID")
    return live_server.url


def test_imported_sites_are_published_in_bulk_and_shown_on_the_public_map(registry, browser_session):
    page, base = browser_session.page, registry

    sign_in(page, base, "uploader", "/sites/import/")
    page.set_input_files("#id_file", str(INVENTORY))
    page.fill("#id_source", "GEM coal mines, Indonesia")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/sites/import/*/")
    assert f"{IMPORTED} sites created" in page.content()

    page.context.clear_cookies()
    page.goto(base + "/")
    assert page.locator("#site-count").inner_text() == "0"  # drafts: the public sees none

    sign_in(page, base, "reviewer", "/review/")
    assert page.locator("nav.review-kinds .count[data-kind=sites]").inner_text() == str(IMPORTED)
    # The queue, a draft's page with its review actions and the send-back form pass axe.
    draft_page = page.locator("table.review-queue td a").first.get_attribute("href")
    send_back_page = page.locator("table.review-queue a", has_text="Send back").first.get_attribute("href")
    found = [line for path in ("/review/", draft_page, send_back_page) for line in violations(page, base + path)]
    assert found == []
    page.goto(base + "/review/")
    boxes = page.locator("table.review-queue input[type=checkbox]")
    assert boxes.count() == IMPORTED
    for index in range(IMPORTED):
        boxes.nth(index).check()
    # The queue's own address is already /review/: wait for the navigation the click starts, not for a URL.
    with page.expect_navigation():
        page.click("text=Publish selected")
    assert f"{IMPORTED} drafts published." in page.content()
    assert page.locator("nav.review-kinds .count[data-kind=sites]").inner_text() == "0"

    page.context.clear_cookies()
    page.goto(base + "/")
    assert page.locator("#site-count").inner_text() == str(IMPORTED)
    wait_for_at_least(page.locator(SITE_SYMBOLS), 1)
    page.goto(base + "/sites/?country=ID")
    assert "ABB Coal Mine" in page.content() and "Agung Bara Prima Coal Mine" in page.content()
    assert browser_session.errors == []
