"""The yearly progress report: totals on a fixture whose numbers are known, the page and the CSV."""

import csv
import datetime
import io
from decimal import Decimal

import pytest

from remediation.models import MeasureStage
from tests.conftest import make_site
from tests.remediation.conftest import make_hazard, make_measure, utm_square_in_wgs84

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def known_numbers():
    """Indonesia 2025: 3 hazards made safe (P1, P1, P3); 150 ha over two completed measures; IDR and USD money."""
    site = make_site(name="Bangka tin", country="ID")
    draft_site = make_site(name="Unpublished", country="ID", is_published=False)
    philippines = make_site(name="Benguet", country="PH")
    safe = {"status": "made_safe", "is_published": True}
    make_hazard(site, priority=1, made_safe_on=D(2025, 2, 1), **safe)
    make_hazard(site, priority=1, made_safe_on=D(2025, 8, 1), **safe)
    make_hazard(site, priority=3, status="monitoring", made_safe_on=D(2025, 9, 1), is_published=True)
    make_hazard(site, priority=2, made_safe_on=D(2024, 12, 31), **safe)  # another year
    make_hazard(site, priority=2, made_safe_on=D(2025, 3, 1), status="made_safe")  # draft
    make_hazard(draft_site, priority=2, made_safe_on=D(2025, 3, 1), **safe)  # site not published
    make_hazard(philippines, priority=1, made_safe_on=D(2025, 3, 1), **safe)  # another country
    done = {"stage": MeasureStage.COMPLETED, "is_published": True}
    make_measure(
        site,
        treated_area=utm_square_in_wgs84(1000),
        actual_start=D(2025, 1, 10),
        actual_end=D(2025, 6, 30),
        budget_amount=Decimal("1000000000"),
        actual_cost_amount=Decimal("900000000"),
        cost_currency="IDR",
        **done,
    )
    make_measure(
        site,
        treated_area=utm_square_in_wgs84(500, origin=(340_000.0, 9_723_000.0)),
        actual_start=D(2024, 11, 1),
        actual_end=D(2025, 3, 31),
        budget_amount=Decimal("50000"),
        actual_cost_amount=Decimal("60000"),
        cost_currency="USD",
        **done,
    )
    make_measure(
        site,
        treated_area=utm_square_in_wgs84(700, origin=(350_000.0, 9_723_000.0)),
        stage=MeasureStage.WORKS_IN_PROGRESS,
        planned_start=D(2025, 4, 1),
        budget_amount=Decimal("500000000"),
        actual_cost_amount=Decimal("100000000"),
        cost_currency="IDR",
        is_published=True,
    )
    make_measure(site, stage=MeasureStage.PLANNED, planned_start=D(2025, 10, 1), is_published=True)
    make_measure(site, stage=MeasureStage.PLANNED, planned_start=D(2025, 10, 1))  # draft
    make_measure(
        philippines,
        treated_area=utm_square_in_wgs84(2000),
        actual_start=D(2025, 1, 1),
        actual_end=D(2025, 2, 1),
        **done,
    )


def test_report_totals(client, known_numbers):
    report = client.get("/reports/?country=ID&year=2025").context["report"]
    assert [row.value for row in report.hazards_made_safe] == [2, 0, 1]
    # 100 ha (1 km square) + 25 ha (500 m square), measured on the ellipsoid.
    assert float(report.hectares_rehabilitated) == pytest.approx(125, rel=0.005)
    assert report.measures_completed == 2
    # Measures started in 2025: the IDR completed one, the IDR works and the planned one (no money).
    assert report.spend == [("IDR", Decimal("1500000000.00"), Decimal("1000000000.00"))]
    stages = {row.label: row.value for row in report.measures_by_stage}
    assert stages == {
        "Planned": 1,
        "Design": 0,
        "Funded": 0,
        "Works in progress": 1,
        "Completed": 1,
        "Care and maintenance": 0,
        "Failed / cancelled": 0,
    }


def test_report_of_all_countries_adds_them_up(client, known_numbers):
    report = client.get("/reports/?year=2025").context["report"]
    assert [row.value for row in report.hazards_made_safe] == [3, 0, 1]
    assert float(report.hectares_rehabilitated) == pytest.approx(525, rel=0.005)


def test_report_page_shows_tables_and_charts_without_a_cdn(client, known_numbers):
    html = client.get("/reports/?country=ID&year=2025").content.decode()
    assert "125.0" in html and "<svg" in html and 'class="chart-bar"' in html
    assert "67%" in html  # IDR spend 1.0 of 1.5 billion
    assert "cdn" not in html.lower()


def test_report_csv_carries_the_same_numbers(client, known_numbers):
    response = client.get("/reports/?country=ID&year=2025&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="remediation-ID-2025.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    figures = {(row["section"], row["item"], row["unit"]): row["value"] for row in rows}
    assert figures[("hazards made safe", "1 — Extreme danger to people", "")] == "2"
    assert float(figures[("hectares rehabilitated", "treated area of measures completed", "ha")]) == pytest.approx(
        125, rel=0.005
    )
    assert figures[("spend against budget", "budget", "IDR")] == "1500000000.00"
    assert figures[("measures by stage", "Works in progress", "")] == "1"
    assert {row["country"] for row in rows} == {"ID"} and {row["year"] for row in rows} == {"2025"}


@pytest.mark.parametrize("query", ["?year=abc", "?country=US", "?year=1200"])
def test_bad_report_parameters_get_a_clear_error(client, query):
    response = client.get(f"/reports/{query}")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
