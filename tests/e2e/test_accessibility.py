"""Pages checked by axe-core in Chromium against WCAG 2.1 A/AA and axe's best practices, public and signed in."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from access.models import Membership, Role
from geodata.models import Layer
from remediation.models import Measurement, MeasureStage
from sites.demo import load_demo
from sites.models import MineSite
from tests.remediation.conftest import make_hazard, make_measure, make_visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"
RULE_SETS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture
def registry(transactional_db, live_server):
    """The demo, with one Indonesian site holding a hazard, a measure and a visit, and an officer of Indonesia."""
    load_demo()
    site = MineSite.objects.filter(country="ID", is_published=True).order_by("id").first()
    hazard = make_hazard(site, is_published=True)
    measure = make_measure(site, stage=MeasureStage.WORKS_IN_PROGRESS, is_published=True)
    measure.hazards.add(hazard)
    visit = make_visit(site, measure=measure, is_published=True)
    Measurement.objects.create(visit=visit, parameter="ph", value=Decimal("6.5"), unit="pH")
    officer = User.objects.create_user("officer", password="a-long-test-password")
    Membership.objects.create(user=officer, role=Role.ENVIRONMENTAL_OFFICER, country="ID")
    Membership.objects.create(user=officer, role=Role.SURVEY_UPLOADER, country="ID")
    faults = Layer.objects.get(slug="gem-active-faults")
    return {"url": live_server.url, "site": site.pk, "layer": faults.pk}


def violations(page, url: str) -> list[str]:
    """What axe finds on the page at `url`, one line per rule broken, naming the first element concerned."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # Through DevTools, not a <script> tag: the pages' Content-Security-Policy runs no script without its nonce.
    page.evaluate(AXE.read_text())
    found = page.evaluate("async (tags) => (await axe.run(document, {runOnly: tags})).violations", RULE_SETS)
    return [f"{url}: {rule['id']} ({rule['impact']}) {rule['help']} at {rule['nodes'][0]['target']}" for rule in found]


def test_public_pages_pass_axe(registry, browser_session):
    base, site, layer = registry["url"], registry["site"], registry["layer"]
    paths = ["/", "/?colour=remediation", "/sites/", f"/sites/{site}/", "/layers/", f"/layers/{layer}/"]
    paths += ["/reports/", "/accounts/login/"]
    paths += ["/ogc/collections?f=html", f"/ogc/collections/layer-{layer}/items?f=html"]
    found = [line for path in paths for line in violations(browser_session.page, base + path)]
    assert found == []


def test_officer_pages_pass_axe(registry, browser_session):
    page, base, site = browser_session.page, registry["url"], registry["site"]
    page.goto(f"{base}/accounts/login/?next=/remediation/dashboard/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", "a-long-test-password")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/remediation/dashboard/")
    paths = [f"/sites/{site}/", "/remediation/dashboard/", "/layers/upload/", "/sites/import/"]
    paths += [f"/remediation/sites/{site}/{kind}/new/" for kind in ("hazards", "measures", "visits", "evidence")]
    found = [line for path in paths for line in violations(page, base + path)]
    assert found == []
