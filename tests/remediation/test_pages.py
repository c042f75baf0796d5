"""The site page, forms, the as-of view, the timeline and the dashboard, as each kind of visitor sees them."""

import datetime
from decimal import Decimal

import pytest

from remediation.models import MeasureStage, MonitoringVisit, RemediationMeasure
from tests.conftest import make_site
from tests.remediation.conftest import make_hazard, make_measure, make_visit, utm_square_in_wgs84

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return make_site(name="Sangihe pit", country="ID")


def page(client, site, query=""):
    return client.get(f"/sites/{site.pk}/{query}")


def test_public_sees_published_records_only(client, site):
    make_measure(site, measure_type="revegetation", is_published=True)
    make_measure(site, measure_type="backfilling")
    make_hazard(site, hazard_type="subsidence", is_published=True)
    make_hazard(site, hazard_type="dust")
    html = page(client, site).content.decode()
    assert "Revegetation" in html and "Subsidence" in html
    assert "Backfilling" not in html and "Dust" not in html


def test_officers_see_drafts_of_their_country(client, site, officer, foreign_officer):
    make_measure(site, measure_type="backfilling")
    client.force_login(officer)
    assert "Backfilling" in page(client, site).content.decode()
    client.force_login(foreign_officer)
    assert "Backfilling" not in page(client, site).content.decode()


def test_public_never_sees_officers_names(client, site, officer, reviewer):
    hazard = make_hazard(site, is_published=True)
    client.force_login(reviewer)
    client.post(f"/remediation/hazards/{hazard.pk}/approve-priority/")
    make_visit(site, officer=officer, observations="Fence intact", is_published=True)
    client.force_login(officer)
    html = page(client, site).content.decode()
    assert "Siti Rahayu" in html and "reviewer-id" in html
    client.logout()
    html = page(client, site).content.decode()
    assert "Fence intact" in html and "approved" in html
    for personal in ("Siti", "Rahayu", "officer-id", "reviewer-id", "@example.org"):
        assert personal not in html


def test_progress_bars_show_stage_area_and_spend(client, site):
    hazard = make_hazard(site, quantity=Decimal("200"), quantity_unit="ha", is_published=True)
    measure = make_measure(
        site,
        stage=MeasureStage.WORKS_IN_PROGRESS,
        treated_area=utm_square_in_wgs84(1000),
        budget_amount=Decimal("1000000"),
        actual_cost_amount=Decimal("250000"),
        cost_currency="IDR",
        is_published=True,
    )
    measure.hazards.add(hazard)
    html = page(client, site).content.decode()
    assert "Stage: Works in progress" in html
    assert "100.0" in html and "ha treated of 200.00 ha affected" in html
    assert "Spend: 250,000 of 1,000,000 budget IDR" in html
    assert 'style="width: 25%"' in html  # spend against budget
    assert 'style="width: 50%"' in html  # area treated against affected


def test_measure_form_records_the_area_and_computes_hectares(client, site, officer):
    client.force_login(officer)
    square = utm_square_in_wgs84(1000)[0]
    response = client.post(
        f"/remediation/sites/{site.pk}/measures/new/",
        {"measure_type": "revegetation", "stage": "planned", "treated_area_text": square.wkt},
    )
    assert response.status_code == 302
    measure = RemediationMeasure.objects.get()
    assert measure.treated_area.geom_type == "MultiPolygon"
    assert float(measure.treated_area_ha) == pytest.approx(100, rel=0.005)


def test_area_drawn_on_the_map_widget_is_stored_in_lon_lat(client, site, officer):
    """The map widget posts GeoJSON in web-mercator metres; the hectares must not change."""
    client.force_login(officer)
    drawn = utm_square_in_wgs84(1000).transform(3857, clone=True)
    response = client.post(
        f"/remediation/sites/{site.pk}/measures/new/",
        {"measure_type": "revegetation", "stage": "planned", "treated_area": drawn.json},
    )
    assert response.status_code == 302
    measure = RemediationMeasure.objects.get()
    assert measure.treated_area.srid == 4326 and -3 < measure.treated_area.centroid.y < -2
    assert float(measure.treated_area_ha) == pytest.approx(100, rel=0.005)


def test_measure_form_shows_the_map_widget_with_local_assets(client, site, officer):
    client.force_login(officer)
    html = client.get(f"/remediation/sites/{site.pk}/measures/new/").content.decode()
    assert "/static/vendor/ol/ol.js" in html and "id_treated_area_map" in html
    assert "cdn" not in html.lower()


def test_measure_form_offers_the_sites_hazards_or_says_there_are_none(client, site, officer):
    client.force_login(officer)
    url = f"/remediation/sites/{site.pk}/measures/new/"
    assert "No hazards are recorded at this site" in client.get(url).content.decode()
    make_hazard(site)
    html = client.get(url).content.decode()
    assert "No hazards are recorded at this site" not in html and 'name="hazards"' in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"treated_area_text": "POLYGON((1 2, 3"}, "This is not GeoJSON or WKT that can be read"),
        ({"treated_area_text": "POINT(121.5 -2.5)"}, "A Point cannot be used here"),
        ({"treated_area_text": "POLYGON((500 2, 501 2, 501 3, 500 2))"}, "Coordinates must be longitude"),
        ({"planned_start": "2025-05-01", "planned_end": "2025-04-01"}, "The end date cannot be before the start date"),
        ({"budget_amount": "-5", "cost_currency": "IDR"}, "An amount of money cannot be negative"),
        ({"budget_amount": "5"}, "Give the currency of the budget and cost"),
        ({"cost_currency": "XYZ", "budget_amount": "5"}, "Select a valid choice"),
        ({"stage": "completed"}, "A completed measure needs the date the works ended"),
    ],
)
def test_measure_form_explains_what_is_wrong(client, site, officer, fields, message):
    client.force_login(officer)
    data = {"measure_type": "revegetation", "stage": "planned", **fields}
    response = client.post(f"/remediation/sites/{site.pk}/measures/new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RemediationMeasure.objects.exists()


def test_stage_cannot_jump_against_the_graph(client, site, officer):
    measure = make_measure(site, stage=MeasureStage.PLANNED)
    client.force_login(officer)
    response = client.post(
        f"/remediation/measures/{measure.pk}/edit/",
        {
            "measure_type": "shaft_capping",
            "stage": "care",
            "actual_start": "2025-01-01",
            "actual_end": "2025-02-01",
        },
    )
    assert response.status_code == 400
    assert "A measure cannot go from “Planned” to “Care and maintenance”" in response.content.decode()
    measure.refresh_from_db()
    assert measure.stage == MeasureStage.PLANNED


def test_visit_with_measurement_rows(client, site, officer):
    measure = make_measure(site)
    client.force_login(officer)
    data = {
        "measure": measure.pk,
        "visited_on": "2025-04-01",
        "next_visit_due": "2025-10-01",
        "observations": "Seepage clearer",
        "readings-TOTAL_FORMS": "3",
        "readings-INITIAL_FORMS": "0",
        "readings-0-parameter": "ph",
        "readings-0-value": "6.8",
        "readings-0-unit": "pH",
        "readings-1-parameter": "ec",
        "readings-1-value": "420",
        "readings-1-unit": "uS_cm",
    }
    assert client.post(f"/remediation/sites/{site.pk}/visits/new/", data).status_code == 302
    visit = MonitoringVisit.objects.get()
    assert visit.officer == officer
    assert sorted((m.parameter, m.value) for m in visit.measurements.all()) == [
        ("ec", Decimal("420")),
        ("ph", Decimal("6.8")),
    ]
    html = page(client, site).content.decode()
    assert "pH: 6.8 pH units" in html and "Electrical conductivity: 420 µS/cm" in html


def test_visit_form_refuses_half_readings_and_impossible_ph(client, site, officer):
    client.force_login(officer)
    data = {
        "visited_on": "2025-04-01",
        "readings-TOTAL_FORMS": "2",
        "readings-INITIAL_FORMS": "0",
        "readings-0-parameter": "ph",
        "readings-0-value": "15",
        "readings-0-unit": "pH",
        "readings-1-parameter": "turbidity",
    }
    response = client.post(f"/remediation/sites/{site.pk}/visits/new/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "pH lies between 0 and 14" in html and "A reading needs its parameter, value and unit" in html
    assert not MonitoringVisit.objects.exists()


def test_hazard_form_rejects_a_location_far_from_the_site(client, site, officer):
    client.force_login(officer)
    data = {"hazard_type": "adit", "priority": "1", "status": "unaddressed", "location_text": "POINT(110 5)"}
    response = client.post(f"/remediation/sites/{site.pk}/hazards/new/", data)
    assert response.status_code == 400
    assert "km from the site; hazards must be within 20 km" in response.content.decode()


def _move_history(record, when: datetime.datetime, history_type: str):
    record.history.filter(history_type=history_type).update(history_date=when)


def test_as_of_shows_the_state_at_a_past_date(client, site):
    measure = make_measure(site, stage=MeasureStage.PLANNED, is_published=True)
    _move_history(measure, datetime.datetime(2024, 1, 10, tzinfo=datetime.UTC), "+")
    measure.stage = MeasureStage.DESIGN
    measure.save()
    _move_history(measure, datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC), "~")

    def stages(query):
        response = page(client, site, query)
        assert response.status_code == 200
        return [progress.measure.stage for progress in response.context["remediation"].measures]

    assert stages("?as_of=2023-12-31") == []
    assert stages("?as_of=2024-03-01") == ["planned"]
    assert stages("?as_of=2024-06-01") == ["design"]
    assert stages("") == ["design"]
    assert "as they stood at the end of 1 Mar 2024" in page(client, site, "?as_of=2024-03-01").content.decode()


def test_as_of_hides_drafts_from_the_public(client, site):
    measure = make_measure(site, measure_type="backfilling")
    _move_history(measure, datetime.datetime(2024, 1, 10, tzinfo=datetime.UTC), "+")
    assert page(client, site, "?as_of=2024-03-01").context["remediation"].measures == []


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "2999-01-01"])
def test_bad_as_of_dates_get_a_clear_error(client, site, value):
    response = page(client, site, f"?as_of={value}")
    assert response.status_code == 400
    assert "As of:" in response.content.decode()


def test_timeline_lists_changes_with_who_for_members_only(client, site, officer):
    client.force_login(officer)
    client.post(
        f"/remediation/sites/{site.pk}/hazards/new/", {"hazard_type": "adit", "priority": "2", "status": "unaddressed"}
    )
    timeline = page(client, site).context["timeline"]
    assert [(entry.action, entry.what, entry.by) for entry in timeline] == [
        ("Created", "Hazard: Adit / portal", "Siti Rahayu")
    ]
    client.logout()
    assert page(client, site).context["timeline"] == []  # a draft's history is not public


def test_public_timeline_hides_who_changed_published_records(client, site, officer):
    hazard = make_hazard(site, is_published=True)
    hazard._history_user = officer
    hazard.notes = "Fenced"
    hazard.save()
    timeline = page(client, site).context["timeline"]
    assert timeline[0].action == "Changed" and timeline[0].fields == ["notes"] and timeline[0].by == ""


def test_dashboard_lists_work_in_progress_overdue_visits_and_drafts(client, site, officer):
    today = datetime.date.today()
    make_measure(site, measure_type="revegetation", stage=MeasureStage.WORKS_IN_PROGRESS, is_published=True)
    make_measure(site, measure_type="backfilling", stage=MeasureStage.PLANNED, is_published=True)
    watched = make_measure(site, measure_type="water_treatment", stage=MeasureStage.FUNDED, is_published=True)
    make_visit(
        site,
        measure=watched,
        visited_on=today - datetime.timedelta(days=200),
        next_visit_due=today - datetime.timedelta(days=20),
    )
    make_visit(
        site,
        visited_on=today - datetime.timedelta(days=400),
        next_visit_due=today - datetime.timedelta(days=300),
        is_published=True,
    )
    make_visit(
        site,
        visited_on=today - datetime.timedelta(days=10),
        next_visit_due=today + datetime.timedelta(days=90),
        is_published=True,
    )
    make_hazard(site, hazard_type="dust")
    other = make_site(name="Other country", country="PH")
    make_measure(other, stage=MeasureStage.WORKS_IN_PROGRESS)
    client.force_login(officer)
    context = client.get("/remediation/dashboard/").context
    assert sorted(m.measure_type for m in context["in_progress"]) == ["revegetation", "water_treatment"]
    assert [v.measure_id for v in context["overdue"]] == [watched.pk]
    assert sorted(str(d) for d in context["drafts"]) == [
        "Dust at Sangihe pit",
        f"Visit to Sangihe pit on {today - datetime.timedelta(days=200):%d %b %Y}",
    ]


def test_treated_areas_geojson_for_the_site_map(client, site):
    make_measure(site, treated_area=utm_square_in_wgs84(1000), is_published=True)
    make_measure(site, treated_area=utm_square_in_wgs84(500))
    data = client.get(f"/remediation/sites/{site.pk}/treated-areas.geojson").json()
    assert len(data["features"]) == 1
    assert data["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert data["features"][0]["properties"]["area_ha"] == pytest.approx(100, rel=0.005)
    assert f"/remediation/sites/{site.pk}/treated-areas.geojson" in page(client, site).context["map"].script


def test_timeline_says_published_in_words(client, site, officer, reviewer):
    client.force_login(officer)
    client.post(
        f"/remediation/sites/{site.pk}/hazards/new/", {"hazard_type": "adit", "priority": "2", "status": "unaddressed"}
    )
    client.force_login(reviewer)
    hazard = site.hazards.get()
    client.post(f"/remediation/hazards/{hazard.pk}/publish/", {"action": "publish"})
    client.logout()
    timeline = page(client, site).context["timeline"]
    assert [(entry.action, entry.what, entry.fields, entry.by) for entry in timeline] == [
        ("Published", "Hazard: Adit / portal", [], "")
    ]


def test_site_page_queries_do_not_grow_with_the_records(client, site, officer, reviewer, django_assert_max_num_queries):
    """Many hazards, measures, visits and readings cost a fixed number of queries, not one per record."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_records(count: int):
        for index in range(count):
            hazard = make_hazard(
                site,
                priority_is_approved=True,
                priority_approved_by=reviewer,
                priority_approved_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
            )
            measure = make_measure(site, treated_area=utm_square_in_wgs84(100 + index))
            measure.hazards.add(hazard)
            visit = make_visit(site, measure=measure, officer=officer)
            visit.measurements.create(parameter="ph", value=Decimal("7"), unit="pH")
            hazard.notes = f"checked {index}"
            hazard.save()

    client.force_login(officer)
    add_records(2)
    with CaptureQueriesContext(connection) as few:
        assert page(client, site).status_code == 200
    add_records(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert page(client, site).status_code == 200


def test_hazard_polygon_pasted_near_the_site_is_kept(client, site, officer):
    client.force_login(officer)
    polygon = utm_square_in_wgs84(100)[0]
    data = {"hazard_type": "subsidence", "priority": "2", "status": "unaddressed", "location_text": polygon.geojson}
    assert client.post(f"/remediation/sites/{site.pk}/hazards/new/", data).status_code == 302
    hazard = site.hazards.get()
    assert hazard.location.geom_type == "Polygon"
    assert hazard.affected_area_ha == pytest.approx(1.0, rel=0.005)
