"""Model rules: areas on the ellipsoid, consistent dates, no negative money, the stage graph."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point, Polygon
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from remediation.models import (
    STAGE_TRANSITIONS,
    Evidence,
    HazardStatus,
    Measurement,
    MeasureStage,
    Parameter,
    QuantityUnit,
    RemediationMeasure,
    may_change_stage,
)
from tests.conftest import make_site
from tests.remediation.conftest import make_hazard, make_measure, make_visit, utm_square_in_wgs84

pytestmark = pytest.mark.django_db


def test_treated_area_is_measured_on_the_ellipsoid():
    measure = make_measure(make_site(), treated_area=utm_square_in_wgs84(1000))
    assert float(measure.treated_area_ha) == pytest.approx(100.0, rel=0.005)


def test_treated_area_agrees_with_postgis_geography_area():
    measure = make_measure(make_site(), treated_area=utm_square_in_wgs84(2500))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Area(treated_area::geography) / 10000 FROM remediation_remediationmeasure WHERE id = %s",
            [measure.pk],
        )
        (postgis_ha,) = cursor.fetchone()
    assert float(measure.treated_area_ha) == pytest.approx(postgis_ha, rel=0.005)
    assert float(measure.treated_area_ha) == pytest.approx(625.0, rel=0.005)


def test_treated_area_follows_the_polygon_when_it_changes():
    measure = make_measure(make_site(), treated_area=utm_square_in_wgs84(1000))
    measure.treated_area = None
    measure.save()
    assert measure.treated_area_ha is None


def test_hazard_area_comes_from_its_quantity_or_its_polygon():
    site = make_site()
    assert (
        make_hazard(site, quantity=Decimal("25000"), quantity_unit=QuantityUnit.SQUARE_METRES).affected_area_ha == 2.5
    )
    polygon = utm_square_in_wgs84(100)[0]
    assert make_hazard(site, location=polygon).affected_area_ha == pytest.approx(1.0, rel=0.005)
    assert make_hazard(site, quantity=3, quantity_unit=QuantityUnit.COUNT).affected_area_ha is None


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (MeasureStage.PLANNED, MeasureStage.DESIGN, True),
        (MeasureStage.FUNDED, MeasureStage.WORKS_IN_PROGRESS, True),
        (MeasureStage.WORKS_IN_PROGRESS, MeasureStage.COMPLETED, True),
        (MeasureStage.COMPLETED, MeasureStage.CARE_AND_MAINTENANCE, True),
        (MeasureStage.WORKS_IN_PROGRESS, MeasureStage.FAILED_CANCELLED, True),
        (MeasureStage.PLANNED, MeasureStage.PLANNED, True),
        (MeasureStage.PLANNED, MeasureStage.COMPLETED, False),
        (MeasureStage.PLANNED, MeasureStage.WORKS_IN_PROGRESS, False),
        (MeasureStage.COMPLETED, MeasureStage.PLANNED, False),
        (MeasureStage.FAILED_CANCELLED, MeasureStage.COMPLETED, False),
        (MeasureStage.CARE_AND_MAINTENANCE, MeasureStage.FAILED_CANCELLED, False),
    ],
)
def test_stage_transitions(current, new, allowed):
    assert may_change_stage(current, new) is allowed


def test_every_stage_has_a_way_forward_and_every_target_is_a_stage():
    assert set(STAGE_TRANSITIONS) == set(MeasureStage.values)
    for targets in STAGE_TRANSITIONS.values():
        assert targets and targets <= set(MeasureStage.values)


def test_end_before_start_is_refused_by_clean_and_by_the_database():
    site = make_site()
    measure = make_measure(site)
    measure.planned_start, measure.planned_end = datetime.date(2025, 5, 1), datetime.date(2025, 4, 1)
    with pytest.raises(ValidationError) as error:
        measure.full_clean()
    assert "planned_end" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        measure.save()


def test_completed_measure_needs_its_end_date():
    measure = make_measure(make_site(), stage=MeasureStage.COMPLETED)
    with pytest.raises(ValidationError) as error:
        measure.full_clean()
    assert "actual_end" in error.value.message_dict


@pytest.mark.parametrize("field", ["budget_amount", "actual_cost_amount"])
def test_negative_money_is_refused(field):
    measure = make_measure(make_site(), cost_currency="IDR")
    setattr(measure, field, Decimal("-1"))
    with pytest.raises(ValidationError) as error:
        measure.full_clean()
    assert field in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        measure.save()


def test_money_needs_a_currency_from_the_iso_list():
    measure = RemediationMeasure(site=make_site(), measure_type="backfilling", budget_amount=Decimal("1000"))
    with pytest.raises(ValidationError) as error:
        measure.full_clean()
    assert "cost_currency" in error.value.message_dict
    measure.cost_currency = "XYZ"
    with pytest.raises(ValidationError) as error:
        measure.full_clean()
    assert "cost_currency" in error.value.message_dict
    measure.cost_currency = "IDR"
    measure.full_clean()


def test_hazard_cost_not_negative_and_needs_currency():
    hazard = make_hazard(make_site(), estimated_cost_amount=Decimal("500"), estimated_cost_currency="USD")
    hazard.estimated_cost_amount = Decimal("-5")
    with pytest.raises(IntegrityError), transaction.atomic():
        hazard.save()
    hazard.estimated_cost_amount, hazard.estimated_cost_currency = Decimal("5"), ""
    with pytest.raises(ValidationError) as error:
        hazard.full_clean()
    assert "estimated_cost_currency" in error.value.message_dict


def test_hazard_made_safe_needs_a_date():
    hazard = make_hazard(make_site(), status=HazardStatus.MADE_SAFE)
    with pytest.raises(ValidationError) as error:
        hazard.full_clean()
    assert "made_safe_on" in error.value.message_dict


def test_hazard_must_lie_near_its_site():
    site = make_site(location=Point(121.5, -2.5, srid=4326))
    hazard = make_hazard(site, location=Point(121.51, -2.5, srid=4326))
    hazard.full_clean()
    hazard.location = Point(122.5, -2.5, srid=4326)
    with pytest.raises(ValidationError) as error:
        hazard.full_clean()
    assert "km from the site" in error.value.message_dict["location"][0]


def test_approved_priority_needs_the_date_of_approval():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_hazard(make_site(), priority_is_approved=True)


def test_next_visit_must_be_after_the_visit():
    visit = make_visit(make_site(), visited_on=datetime.date(2025, 3, 1))
    visit.next_visit_due = datetime.date(2025, 2, 1)
    with pytest.raises(ValidationError):
        visit.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        visit.save()


def test_visit_measure_must_belong_to_the_same_site():
    measure = make_measure(make_site(name="Other"))
    visit = make_visit(make_site(), measure=measure)
    with pytest.raises(ValidationError) as error:
        visit.full_clean()
    assert "measure" in error.value.message_dict


def test_ph_out_of_range_is_refused():
    visit = make_visit(make_site())
    with pytest.raises(IntegrityError), transaction.atomic():
        Measurement.objects.create(visit=visit, parameter=Parameter.PH, value=Decimal("15"), unit="pH")


def test_evidence_attaches_to_exactly_one_record():
    site = make_site()
    hazard, measure = make_hazard(site), make_measure(site)
    common = {"site": site, "kind": "photo", "file": "x.jpg", "content_type": "image/jpeg", "size_bytes": 1}
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(hazard=hazard, measure=measure, caption="two", **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(caption="none", **common)


def test_every_change_is_kept_in_history():
    measure = make_measure(make_site())
    measure.stage = MeasureStage.DESIGN
    measure.save()
    assert [record.stage for record in measure.history.order_by("history_date")] == ["planned", "design"]


def test_invalid_treated_area_is_refused():
    bowtie = Polygon(((121.5, -2.5), (121.51, -2.49), (121.51, -2.5), (121.5, -2.49), (121.5, -2.5)), srid=4326)
    from django.contrib.gis.geos import MultiPolygon

    measure = make_measure(make_site())
    measure.treated_area = MultiPolygon(bowtie, srid=4326)
    with pytest.raises(ValidationError) as error:
        measure.full_clean()
    assert "treated_area" in error.value.message_dict


def test_currency_outside_the_iso_list_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measure(make_site(), budget_amount=Decimal("1"), cost_currency="XBT")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_hazard(make_site(), estimated_cost_amount=Decimal("1"), estimated_cost_currency="ABC")
