"""A reader switches the page's language from the top bar: same page, same filters, under the new language's
address; with script or without, and under the pages' Content-Security-Policy."""

import pytest
from django.contrib.gis.geos import Point

from sites.models import SiteStatus
from tests.conftest import make_site

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listed(transactional_db, live_server):
    """Created before the browser starts (Django refuses ORM calls inside Playwright's event loop)."""
    make_site(name="Abandoned pit", status=SiteStatus.ABANDONED, location=Point(100.5, 15.0, srid=4326))
    make_site(name="Active pit", status=SiteStatus.ACTIVE, location=Point(101.5, 15.0, srid=4326))
    return live_server.url


def switch_to(page, language_name: str) -> None:
    page.locator(".language-menu summary").click()
    with page.expect_navigation():
        page.locator(".language-menu button", has_text=language_name).click()


def test_switching_language_keeps_the_page_and_its_filters(listed, browser_session):
    page = browser_session.page
    page.goto(listed + "/id/sites/?status=abandoned")
    assert page.locator("html").get_attribute("lang") == "id"

    switch_to(page, "ไทย")

    assert page.url == listed + "/th/sites/?status=abandoned"
    assert page.locator("html").get_attribute("lang") == "th"
    # Still only the abandoned site.
    assert page.get_by_role("link", name="Abandoned pit").count() == 1
    assert page.get_by_role("link", name="Active pit").count() == 0
    # The choice is remembered: an unprefixed address now answers in Thai, without a redirect.
    page.goto(listed + "/layers/")
    assert page.url == listed + "/layers/" and page.locator("html").get_attribute("lang") == "th"
    assert browser_session.errors == []


def test_the_menu_works_without_javascript_and_names_each_language_in_itself(listed, browser_session):
    context = browser_session.page.context
    page = context.browser.new_context(java_script_enabled=False).new_page()
    page.goto(listed + "/sites/?status=abandoned")
    names = page.locator(".language-menu button").all_text_contents()
    assert names == [
        "English",
        "Bahasa Indonesia",
        "Bahasa Melayu",
        "Filipino",
        "Tiếng Việt",
        "ไทย",
        "ខ្មែរ",
        "ລາວ",
        "မြန်မာ",
        "Tetun",
        "Português",
    ]
    switch_to(page, "ខ្មែរ")
    assert page.url == listed + "/km/sites/?status=abandoned"
    assert page.locator("html").get_attribute("lang") == "km"
