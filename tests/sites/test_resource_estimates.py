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
        "is_published": True,  # as a reviewer records it
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


ESTIMATE_FORM = {
    "commodity": "nickel",
    "category": "measured",
    "reporting_code": "jorc",
    "tonnage_mt": "8.2",
    "grade": "1.6",
    "grade_unit": "percent",
    "effective_date": "2025-03-31",
    "competent_person": "C. Resource",
    "source_report": "Mineral Resource Statement 2025",
}


def member(username, role, country):
    from django.contrib.auth.models import User

    from access.models import Membership

    user = User.objects.create_user(username, password="pw")
    Membership.objects.create(user=user, role=role, country=country)
    return user


def test_anonymous_people_are_sent_to_sign_in(client):
    site = make_site()
    response = client.post(f"/sites/{site.pk}/estimates/new/", ESTIMATE_FORM)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not ResourceEstimate.objects.exists()


@pytest.mark.parametrize(
    ("role", "country"), [("survey_uploader", "PH"), ("environmental_officer", "ID"), ("reviewer", "ID")]
)
def test_only_the_countrys_survey_uploaders_may_record_estimates(client, role, country):
    site = make_site(country="ID")
    estimate = make_estimate(site)
    client.force_login(member("someone", role, country))
    assert client.post(f"/sites/{site.pk}/estimates/new/", ESTIMATE_FORM).status_code == 403
    assert client.post(f"/sites/{site.pk}/estimates/{estimate.pk}/", ESTIMATE_FORM).status_code == 403
    assert client.post(f"/sites/{site.pk}/estimates/{estimate.pk}/delete/").status_code == 403
    assert list(ResourceEstimate.objects.values_list("category", flat=True)) == ["indicated"]
    assert "Record an estimate" not in client.get(site.get_absolute_url()).content.decode()


def test_an_uploader_records_changes_and_deletes_an_estimate_with_history(client):
    site = make_site(country="ID")
    uploader = member("geologist", "survey_uploader", "ID")
    client.force_login(uploader)
    assert "Record an estimate" in client.get(site.get_absolute_url()).content.decode()

    response = client.post(f"/sites/{site.pk}/estimates/new/", ESTIMATE_FORM)
    assert response.status_code == 302 and response.url == site.get_absolute_url()
    estimate = ResourceEstimate.objects.get()
    assert (estimate.unfc_class, estimate.tonnage_mt) == ("E2 F2.2 G1", Decimal("8.2"))

    client.post(f"/sites/{site.pk}/estimates/{estimate.pk}/", {**ESTIMATE_FORM, "tonnage_mt": "9"})
    client.post(f"/sites/{site.pk}/estimates/{estimate.pk}/delete/")
    assert not ResourceEstimate.objects.exists()
    history = ResourceEstimate.history.filter(id=estimate.pk).order_by("history_date")
    assert [(h.history_type, h.tonnage_mt) for h in history] == [
        ("+", Decimal("8.2")),
        ("~", Decimal("9")),
        ("-", Decimal("9")),
    ]
    assert {h.history_user for h in history} == {uploader}


def test_an_invalid_estimate_is_refused_with_the_reason(client):
    site = make_site(country="ID")
    client.force_login(member("geologist", "survey_uploader", "ID"))
    response = client.post(f"/sites/{site.pk}/estimates/new/", {**ESTIMATE_FORM, "reporting_code": "national"})
    assert response.status_code == 400
    assert "Name the national code" in response.content.decode()
    response = client.post(f"/sites/{site.pk}/estimates/new/", {**ESTIMATE_FORM, "tonnage_mt": "-3"})
    assert response.status_code == 400
    assert not ResourceEstimate.objects.exists()


def test_estimates_of_another_site_cannot_be_reached_through_this_one(client):
    site, other = make_site(country="ID"), make_site(country="ID")
    foreign = make_estimate(other)
    client.force_login(member("geologist", "survey_uploader", "ID"))
    assert client.post(f"/sites/{site.pk}/estimates/{foreign.pk}/delete/").status_code == 404
    assert ResourceEstimate.objects.filter(pk=foreign.pk).exists()
