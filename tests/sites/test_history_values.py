"""A site's history shows old -> new to the country's members; the as-of view shows the site and its estimates then."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from access.changes import field_changes
from access.models import Membership, ProposedChange, Role
from sites.models import ReportingCode, ResourceCategory, ResourceEstimate
from tests.conftest import make_site

pytestmark = pytest.mark.django_db

ESTIMATE_FORM = {
    "commodity": "nickel",
    "reporting_code": "jorc",
    "category": "measured",
    "tonnage_mt": "8.2",
    "grade": "1.6",
    "grade_unit": "percent",
    "cut_off": "",
    "effective_date": "2024-12-31",
    "competent_person": "B. Engineer",
    "source_report": "Resources statement 2024",
    "source_url": "",
}


def member(username: str, role: str, country: str = "ID") -> User:
    user = User.objects.create_user(username, password="pw", first_name=username.title())
    Membership.objects.create(user=user, role=role, country=country)
    return user


def make_estimate(site, **overrides) -> ResourceEstimate:
    values = {
        "site": site,
        "commodity": "nickel",
        "reporting_code": ReportingCode.JORC,
        "category": ResourceCategory.INDICATED,
        "tonnage_mt": Decimal("12.5"),
        "effective_date": datetime.date(2024, 6, 30),
        "competent_person": "A. Geologist",
        "source_report": "Statement 2024",
        "is_published": True,
    }
    values.update(overrides)
    return ResourceEstimate.objects.create(**values)


def html_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_difference_reads_choice_labels_dates_and_numbers():
    before = {"category": "indicated", "effective_date": datetime.date(2024, 6, 30), "tonnage_mt": Decimal("12.5000")}
    after = {"category": "measured", "effective_date": datetime.date(2025, 1, 31), "tonnage_mt": Decimal("14")}
    shown = {(c.label, c.before, c.after) for c in field_changes(ResourceEstimate, before, after)}
    assert shown == {
        ("Category", "Indicated resource", "Measured resource"),
        ("Effective date", "30 Jun 2024", "31 Jan 2025"),
        ("Tonnage (Mt)", "12.5", "14"),
    }
    assert field_changes(ResourceEstimate, before, dict(before)) == []


def test_a_held_estimate_change_shows_old_and_new_on_the_site_page(client):
    site = make_site(country="ID")
    estimate = make_estimate(site)
    uploader = member("geologist", Role.SURVEY_UPLOADER)
    client.force_login(uploader)
    form = {**ESTIMATE_FORM, "category": "measured", "tonnage_mt": "14", "effective_date": "2025-01-31"}
    response = client.post(f"/sites/{site.pk}/estimates/{estimate.pk}/", form)
    assert response.status_code == 302
    estimate.refresh_from_db()
    assert (estimate.tonnage_mt, estimate.category) == (Decimal("12.5"), "indicated")
    html = html_of(client, site.get_absolute_url())
    assert "Your change waits for review" in html
    for old, new in [("Indicated resource", "Measured resource"), ("30 Jun 2024", "31 Jan 2025"), ("12.5", "14")]:
        assert f"<td>{old}</td><td>→ {new}</td>" in html
    assert "Your change waits for review" not in html_of(APIClient(), site.get_absolute_url())
    assert ProposedChange.objects.get().values["tonnage_mt"] == "14"


def test_the_timeline_shows_old_new_and_who_to_a_reviewer_but_not_to_the_public(client):
    site = make_site(country="ID", status="active")
    uploader = member("surveyor", Role.SURVEY_UPLOADER)
    site.status, site.opened_year = "closed", 1987
    site._history_user = uploader
    site.save()

    client.force_login(member("checker", Role.REVIEWER))
    html = html_of(client, site.get_absolute_url())
    assert "Status: Active → Closed" in html
    assert "Opened year: — → 1987" in html
    assert "by Surveyor" in html

    public = html_of(APIClient(), site.get_absolute_url())
    assert "Changed: status, opened year" in public
    assert "Active → Closed" not in public and "Surveyor" not in public

    other_country = APIClient()
    other_country.force_login(member("checker-vn", Role.REVIEWER, "VN"))
    assert "Active → Closed" not in html_of(other_country, site.get_absolute_url())


def test_as_of_shows_the_sites_name_and_an_estimates_tonnage_before_a_later_change(client):
    site = make_site(name="First name", country="ID")
    estimate = make_estimate(site, tonnage_mt=Decimal("12.5"))
    long_ago = datetime.datetime(2024, 1, 15, tzinfo=datetime.UTC)
    site.history.update(history_date=long_ago)
    estimate.history.update(history_date=long_ago)
    site.name = "Second name"
    site.save()
    estimate.tonnage_mt = Decimal("99.75")
    estimate.save()

    then = html_of(APIClient(), f"{site.get_absolute_url()}?as_of=2024-06-30")
    assert "<h1>First name" in then and "Second name" not in then
    assert "12.5" in then and "99.75" not in then
    assert "as they stood at the end of" in then
    now = html_of(APIClient(), site.get_absolute_url())
    assert "<h1>Second name" in now and "99.75" in now


def test_as_of_before_the_site_existed_says_so():
    site = make_site(name="Young pit", country="ID")
    html = html_of(APIClient(), f"{site.get_absolute_url()}?as_of=2001-01-01")
    assert "was not yet recorded" in html


def test_a_new_estimate_by_an_uploader_is_a_draft_the_public_does_not_see(client):
    site = make_site(country="ID")
    client.force_login(member("geologist", Role.SURVEY_UPLOADER))
    assert client.post(f"/sites/{site.pk}/estimates/new/", ESTIMATE_FORM).status_code == 302
    estimate = ResourceEstimate.objects.get()
    assert estimate.is_published is False
    assert "B. Engineer" in html_of(client, site.get_absolute_url())  # its author sees the draft

    public = APIClient()
    assert "B. Engineer" not in html_of(public, site.get_absolute_url())
    assert public.get("/api/resource-estimates/").json()["results"] == []
    assert public.get(f"/api/resource-estimates/{estimate.pk}/").status_code == 404

    client.force_login(member("checker-vn", Role.REVIEWER, "VN"))
    assert client.post(f"/sites/{site.pk}/estimates/{estimate.pk}/publish/").status_code == 403
    assert "B. Engineer" not in html_of(public, site.get_absolute_url())
    client.force_login(member("checker", Role.REVIEWER))
    assert client.post(f"/sites/{site.pk}/estimates/{estimate.pk}/publish/").status_code == 302
    assert "B. Engineer" in html_of(public, site.get_absolute_url())


def test_a_new_estimate_by_a_reviewer_is_public_at_once(client):
    site = make_site(country="ID")
    user = member("both", Role.SURVEY_UPLOADER)
    Membership.objects.create(user=user, role=Role.REVIEWER, country="ID")
    client.force_login(user)
    assert client.post(f"/sites/{site.pk}/estimates/new/", ESTIMATE_FORM).status_code == 302
    assert ResourceEstimate.objects.get().is_published is True
    assert "B. Engineer" in html_of(APIClient(), site.get_absolute_url())


def test_an_uploader_cannot_delete_a_published_estimate(client):
    site = make_site(country="ID")
    estimate = make_estimate(site)
    client.force_login(member("geologist", Role.SURVEY_UPLOADER))
    assert client.post(f"/sites/{site.pk}/estimates/{estimate.pk}/delete/").status_code == 403
    assert ResourceEstimate.objects.filter(pk=estimate.pk).exists()
