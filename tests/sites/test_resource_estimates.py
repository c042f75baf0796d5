"""Resource and reserve estimates: CRIRSCO categories with their UNFC class, and the rules on the numbers."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sites.models import ReportingCode, ResourceCategory, ResourceEstimate
from tests.conftest import make_site

pytestmark = pytest.mark.django_db


def make_estimate(site, **overrides) -> ResourceEstimate:
    values = {
        "site": site,
        "commodity": "nickel",
        "reporting_code": ReportingCode.JORC,
        "category": ResourceCategory.INDICATED,
        "tonnage_mt": Decimal("12.5"),
        "grade": Decimal("1.45"),
        "grade_unit": "percent",
        "cut_off": "1.0% Ni",
        "effective_date": datetime.date(2024, 6, 30),
        "competent_person": "A. Geologist, MAusIMM",
        "source_report": "Annual Mineral Resources Statement 2024",
    }
    values.update(overrides)
    return ResourceEstimate.objects.create(**values)


@pytest.mark.parametrize(
    ("category", "unfc"),
    [
        ("proved", "E1 F1 G1"),
        ("probable", "E1 F1 G2"),
        ("measured", "E2 F2.2 G1"),
        ("indicated", "E2 F2.2 G2"),
        ("inferred", "E2 F2.2 G3"),
    ],
)
def test_unfc_class_follows_from_the_crirsco_category(category, unfc):
    assert make_estimate(make_site(), category=category).unfc_class == unfc


def test_every_category_has_a_unfc_class():
    from sites.models import UNFC_CLASSES

    assert set(UNFC_CLASSES) == set(ResourceCategory)


@pytest.mark.parametrize("field", ["tonnage_mt", "grade"])
def test_negative_quantities_are_refused_by_the_database(field):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_estimate(make_site(), **{field: Decimal("-1")})


def test_a_grade_without_its_unit_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_estimate(make_site(), grade_unit="")


def test_a_national_code_must_be_named():
    estimate = ResourceEstimate(
        site=make_site(),
        commodity="tin",
        reporting_code=ReportingCode.NATIONAL,
        category=ResourceCategory.INFERRED,
        tonnage_mt=Decimal("3"),
        effective_date=datetime.date(2023, 1, 1),
        competent_person="B. Surveyor",
        source_report="National tin inventory",
    )
    with pytest.raises(ValidationError) as refused:
        estimate.full_clean()
    assert "national_code_name" in refused.value.message_dict


def test_site_page_shows_estimates_with_their_unfc_class(client):
    site = make_site(name="Sorowako Test")
    make_estimate(site, category=ResourceCategory.PROVED, tonnage_mt=Decimal("40.25"))
    html = client.get(site.get_absolute_url()).content.decode()
    assert "Proved reserve" in html and "E1 F1 G1" in html and "40.25" in html


def test_site_page_says_when_there_are_no_estimates(client):
    html = client.get(make_site().get_absolute_url()).content.decode()
    assert "No resource or reserve estimates recorded." in html


def test_estimates_keep_their_history():
    estimate = make_estimate(make_site())
    estimate.tonnage_mt = Decimal("13")
    estimate.save()
    assert [h.tonnage_mt for h in estimate.history.order_by("history_date")] == [Decimal("12.5"), Decimal("13")]
