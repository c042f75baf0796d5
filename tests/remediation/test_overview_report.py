"""The overview on /reports/: sites by country, status and commodity, hazard costs by funding, the trend."""

import csv
import datetime
import io
from decimal import Decimal

import pytest

from remediation.models import HazardStatus, MeasureStage
from sites.models import Commodity, SiteStatus
from tests.conftest import make_site
from tests.remediation.conftest import make_hazard, make_measure, utm_square_in_wgs84

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def registry():
    """Indonesia: 2 abandoned (tin; tin + copper), 1 active nickel, 1 draft; the Philippines: 1 closed gold."""
    tin = make_site(name="Tin one", country="ID", status=SiteStatus.ABANDONED, commodities=[Commodity.TIN])
    make_site(
        name="Tin and copper", country="ID", status=SiteStatus.ABANDONED, commodities=[Commodity.TIN, Commodity.COPPER]
    )
    make_site(name="Nickel", country="ID", status=SiteStatus.ACTIVE, commodities=[Commodity.NICKEL])
    make_site(name="Draft", country="ID", status=SiteStatus.ABANDONED, is_published=False)
    gold = make_site(name="Gold", country="PH", status=SiteStatus.CLOSED, commodities=[Commodity.GOLD])
    cost = {"is_published": True, "estimated_cost_currency": "IDR"}
    make_hazard(tin, status=HazardStatus.UNADDRESSED, estimated_cost_amount=Decimal("1000"), **cost)
    make_hazard(tin, status=HazardStatus.UNADDRESSED, is_published=True)  # no estimate
    make_hazard(tin, status=HazardStatus.FUNDED, estimated_cost_amount=Decimal("200"), **cost)
    make_hazard(tin, status=HazardStatus.IN_PROGRESS, estimated_cost_amount=Decimal("300"), **cost)
    make_hazard(
        tin,
        status=HazardStatus.MADE_SAFE,
        made_safe_on=D(2022, 5, 1),
        estimated_cost_amount=Decimal("50"),
        estimated_cost_currency="USD",
        is_published=True,
    )
    make_hazard(tin, status=HazardStatus.MONITORING, made_safe_on=D(2024, 1, 1), is_published=True)
    draft = {"estimated_cost_amount": Decimal("9999"), "estimated_cost_currency": "IDR"}
    make_hazard(tin, status=HazardStatus.UNADDRESSED, **draft)
    make_hazard(gold, status=HazardStatus.MADE_SAFE, made_safe_on=D(2023, 1, 1), is_published=True)
    make_measure(
        tin,
        stage=MeasureStage.COMPLETED,
        treated_area=utm_square_in_wgs84(1000),
        actual_start=D(2023, 1, 1),
        actual_end=D(2024, 6, 30),
        is_published=True,
    )
    make_measure(tin, stage=MeasureStage.COMPLETED, actual_start=D(2024, 1, 1), actual_end=D(2024, 2, 1))  # draft


def test_sites_by_country_and_status_count_published_sites(client, registry):
    overview = client.get("/reports/").context["overview"]
    matrix = overview.sites_by_country
    statuses = [code for code, _label in matrix.columns]
    rows = {row.code: dict(zip(statuses, row.values, strict=True)) for row in matrix.rows}
    assert set(rows) == {"ID", "PH"}
    assert rows["ID"][SiteStatus.ABANDONED] == 2  # the draft is not counted
    assert rows["ID"][SiteStatus.ACTIVE] == 1
    assert rows["PH"][SiteStatus.CLOSED] == 1
    assert matrix.total == 4


def test_sites_by_commodity_count_a_site_under_each_of_its_commodities(client, registry):
    matrix = client.get("/reports/?country=ID").context["overview"].sites_by_commodity
    totals = {row.code: row.total for row in matrix.rows}
    assert totals == {Commodity.TIN: 2, Commodity.COPPER: 1, Commodity.NICKEL: 1}


def test_hazard_costs_grouped_by_funding_status(client, registry):
    overview = client.get("/reports/?country=ID").context["overview"]
    costs = {row.group: row for row in overview.costs}
    assert costs["unfunded"].hazards == 2  # the draft hazard is left out
    assert costs["unfunded"].unestimated == 1
    assert costs["unfunded"].amounts == {"IDR": Decimal("1000")}
    assert costs["funded"].hazards == 2  # funded and in progress
    assert costs["funded"].amounts == {"IDR": Decimal("500")}
    assert costs["completed"].hazards == 2  # made safe and monitoring
    assert costs["completed"].amounts == {"USD": Decimal("50")}
    assert overview.currencies == ["IDR", "USD"]


def test_trend_runs_through_quiet_years(client, registry):
    trend = client.get("/reports/").context["overview"].trend
    assert [row.year for row in trend] == [2022, 2023, 2024]
    assert [row.hazards_made_safe for row in trend] == [1, 1, 1]
    assert [row.measures_completed for row in trend] == [0, 0, 1]
    assert float(trend[2].hectares_rehabilitated) == pytest.approx(100, rel=0.005)
    only_indonesia = client.get("/reports/?country=ID").context["overview"].trend
    assert [row.hazards_made_safe for row in only_indonesia] == [1, 0, 1]


def test_page_shows_the_sections_with_their_labels(client, registry):
    page = client.get("/reports/?country=ID").content.decode()
    for heading in ("Sites by country and status", "Hazard costs by funding status", "Year by year"):
        assert heading in page
    assert "Unfunded" in page and "Estimated cost (IDR)" in page
    assert "table=sites" in page and "country=ID" in page


def test_empty_registry_says_so(client):
    page = client.get("/reports/").content.decode()
    assert "No published sites yet." in page
    assert "No hazard has been made safe and no measure completed yet." in page


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_of_each_section(client, registry):
    sites = _csv(client.get("/reports/?country=ID&format=csv&table=sites"))
    assert sites[0] == ["country", "status", "commodity", "sites"]
    assert ["ID", "abandoned", "tin", "2"] in sites
    assert ["ID", "abandoned", "all", "2"] in sites
    assert not any(row[0] == "PH" for row in sites[1:])
    costs = _csv(client.get("/reports/?format=csv&table=costs"))
    assert ["funded", "2", "0", "IDR", "500.00"] in costs
    trend = _csv(client.get("/reports/?format=csv&table=trend"))
    assert trend[0] == ["year", "hazards_made_safe", "measures_completed", "hectares_rehabilitated"]
    assert [row[0] for row in trend[1:]] == ["2022", "2023", "2024"]


def test_unknown_table_is_a_clear_error(client, registry):
    response = client.get("/reports/?format=csv&table=everything")
    assert response.status_code == 400
    assert "everything" in response.content.decode()
