"""Reports from the public: anyone may send one about a published site; only its country's people read it."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from access.models import NotificationPreference, Role
from remediation.models import PublicReport, PublicReportKind, PublicReportState
from tests.conftest import make_site
from tests.remediation.conftest import make_member

pytestmark = pytest.mark.django_db

LIST_URL = "/en/remediation/public-reports/"
CONTACT = "Ibu Wati, +62 812 3456 7890"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://registry.example.org"


@pytest.fixture
def site():
    return make_site(name="Pongkor shaft", country="ID")


def report_url(site) -> str:
    return f"/sites/{site.pk}/report/"


def report_form(**overrides) -> dict:
    values = {
        "kind": PublicReportKind.PERSON_AT_RISK,
        "description": "Children play next to the open shaft.",
        "contact": "",
    }
    values.update(overrides)
    return values


def make_report(site, **overrides) -> PublicReport:
    values = {
        "site": site,
        "kind": PublicReportKind.POLLUTION,
        "description": "The stream turned orange.",
        "contact": CONTACT,
    }
    values.update(overrides)
    return PublicReport.objects.create(**values)


# Sending a report.


def test_anyone_may_report_a_problem_at_a_published_site(client, site):
    form_page = client.get(report_url(site))
    assert form_page.status_code == 200 and "csrfmiddlewaretoken" in form_page.content.decode()
    response = client.post(report_url(site), report_form(contact=CONTACT))
    assert response.status_code == 302 and response["Location"] == f"/en/sites/{site.pk}/report/thanks/"
    report = PublicReport.objects.get()
    assert (report.site, report.kind, report.state) == (site, PublicReportKind.PERSON_AT_RISK, PublicReportState.NEW)
    assert report.contact == CONTACT
    thanks = client.get(response["Location"]).content.decode()
    assert "environmental officers and reviewers of Indonesia" in thanks


def test_the_site_page_links_to_the_report_form(client, site):
    assert f'href="/en/sites/{site.pk}/report/"' in client.get(site.get_absolute_url()).content.decode()


def test_the_form_needs_the_csrf_token(site):
    response = Client(enforce_csrf_checks=True).post(report_url(site), report_form())
    assert response.status_code == 403
    assert not PublicReport.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_draft_sites_report_page_is_not_found_for_the_public(client, method):
    draft = make_site(country="ID", is_published=False)
    response = getattr(client, method)(report_url(draft), report_form())
    assert response.status_code == 404
    assert client.get(f"/sites/{draft.pk}/report/thanks/").status_code == 404
    assert f"/sites/{draft.pk}/report/" not in client.get(draft.get_absolute_url()).content.decode()
    assert not PublicReport.objects.exists()


def test_an_empty_description_is_refused_with_a_clear_error(client, site):
    response = client.post(report_url(site), report_form(description="   "))
    assert response.status_code == 400
    assert "the report cannot be sent empty" in response.content.decode()
    assert not PublicReport.objects.exists()


def test_a_description_too_long_is_refused_with_its_length(client, site):
    response = client.post(report_url(site), report_form(description="x" * 2001))
    assert response.status_code == 400
    assert "Keep the description to 2000 characters (it has 2001)" in response.content.decode()
    assert not PublicReport.objects.exists()


def test_an_unknown_kind_is_refused(client, site):
    response = client.post(report_url(site), report_form(kind="alien_landing"))
    assert response.status_code == 400 and not PublicReport.objects.exists()


def test_a_bot_filling_the_hidden_field_is_thanked_but_nothing_is_saved(client, site, mailoutbox):
    response = client.post(report_url(site), report_form(website="http://spam.example.com"))
    assert response.status_code == 302 and response["Location"].endswith("/report/thanks/")
    assert not PublicReport.objects.exists()
    assert mailoutbox == []


def test_the_sixth_report_from_one_address_in_an_hour_is_refused(client, site):
    for number in range(5):
        assert client.post(report_url(site), report_form(description=f"Report {number}")).status_code == 302
    response = client.post(report_url(site), report_form(description="Report 6"))
    assert response.status_code == 429
    assert "already sent 5 reports in the last hour" in response.content.decode()
    assert PublicReport.objects.count() == 5
    other_address = client.post(report_url(site), report_form(), REMOTE_ADDR="203.0.113.9")
    assert other_address.status_code == 302 and PublicReport.objects.count() == 6


def test_a_forged_forwarded_address_does_not_escape_the_limit(client, site):
    for number in range(5):
        client.post(report_url(site), report_form(), HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    response = client.post(report_url(site), report_form(), HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert response.status_code == 429 and PublicReport.objects.count() == 5


def test_the_contact_never_appears_on_the_public_site_page(client, site, officer):
    make_report(site)
    assert CONTACT not in client.get(site.get_absolute_url()).content.decode()
    assert "The stream turned orange" not in client.get(site.get_absolute_url()).content.decode()
    assert CONTACT not in client.get(f"/api/sites/{site.pk}/").content.decode()
    assert CONTACT not in client.get(f"/sites/{site.pk}.json").content.decode()


# Reading and handling them.


def test_the_list_sends_anonymous_visitors_to_sign_in(client, site):
    make_report(site)
    response = client.get(LIST_URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [None, Role.SURVEY_UPLOADER])
def test_the_list_is_refused_to_people_without_an_officer_or_reviewer_role(client, site, role):
    make_report(site)
    person = make_member("uploader", role, "ID") if role else User.objects.create_user("nobody", password="pw")
    client.force_login(person)
    response = client.get(LIST_URL)
    assert response.status_code == 403
    assert CONTACT not in response.content.decode()


def test_an_officer_of_another_country_sees_none_of_its_reports(client, site, foreign_officer):
    report = make_report(site)
    make_report(make_site(name="Toledo pit", country="PH"), description="Dead fish in the river.", contact="")
    client.force_login(foreign_officer)
    page = client.get(LIST_URL).content.decode()
    assert "Dead fish in the river" in page
    assert "The stream turned orange" not in page and CONTACT not in page
    response = client.post(f"{LIST_URL}{report.pk}/handle/", {"state": PublicReportState.CLOSED, "note": "x"})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.state == PublicReportState.NEW


def test_the_officer_of_the_country_reads_the_report_with_its_contact(client, site, officer):
    make_report(site)
    client.force_login(officer)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The stream turned orange" in page and CONTACT in page and "Pongkor shaft" in page


def test_the_list_is_newest_first_filtered_by_state_and_paginated(client, site, reviewer):
    old = make_report(site, description="Old report.")
    PublicReport.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    make_report(site, description="Closed report.", state=PublicReportState.CLOSED, handled_at=timezone.now())
    for number in range(25):
        make_report(site, description=f"Fresh report {number}.")
    client.force_login(reviewer)
    first_page = client.get(LIST_URL, {"state": "new"})
    assert first_page.context["page"].paginator.count == 26
    assert "Fresh report 24." in first_page.content.decode() and "Old report." not in first_page.content.decode()
    assert "Closed report." not in first_page.content.decode()
    second_page = client.get(LIST_URL, {"state": "new", "page": 2}).content.decode()
    assert "Old report." in second_page
    assert client.get(LIST_URL, {"state": "lost"}).status_code == 400


def test_the_officer_acknowledges_a_report_with_a_note_and_history_keeps_who(client, site, officer):
    report = make_report(site)
    client.force_login(officer)
    response = client.post(
        f"{LIST_URL}{report.pk}/handle/", {"state": PublicReportState.ACKNOWLEDGED, "note": "Team goes Monday."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.handled_by, report.handling_note) == (
        PublicReportState.ACKNOWLEDGED,
        officer,
        "Team goes Monday.",
    )
    latest = report.history.order_by("-history_date").first()
    assert latest.history_user == officer and latest.state == PublicReportState.ACKNOWLEDGED
    assert "Acknowledged" in client.get(LIST_URL).content.decode()


def test_a_closed_report_cannot_be_acknowledged_again(client, site, reviewer):
    report = make_report(site, state=PublicReportState.CLOSED, handled_at=timezone.now(), handling_note="Fenced.")
    client.force_login(reviewer)
    response = client.post(f"{LIST_URL}{report.pk}/handle/", {"state": PublicReportState.ACKNOWLEDGED})
    assert response.status_code == 302
    assert "cannot become" in client.get(LIST_URL).content.decode()
    report.refresh_from_db()
    assert (report.state, report.handling_note) == (PublicReportState.CLOSED, "Fenced.")


def test_handling_needs_a_post(client, site, officer):
    report = make_report(site)
    client.force_login(officer)
    assert client.get(f"{LIST_URL}{report.pk}/handle/", {"state": "closed"}).status_code == 405


def test_staff_read_every_country_but_do_not_handle(client, site):
    report = make_report(site)
    staff = User.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(staff)
    assert CONTACT in client.get(LIST_URL).content.decode()
    assert client.post(f"{LIST_URL}{report.pk}/handle/", {"state": "closed"}).status_code == 403


def test_the_dashboard_counts_new_reports_and_links_to_them(client, site, officer):
    make_report(site)
    make_report(site, state=PublicReportState.CLOSED, handled_at=timezone.now())
    make_report(make_site(country="PH"))
    client.force_login(officer)
    page = client.get("/remediation/dashboard/").content.decode()
    assert "1 new report waits to be read" in page
    assert f'href="{LIST_URL}?state=new"' in page


# E-mail on arrival.


def test_a_report_is_mailed_to_the_countrys_officers_and_reviewers_with_the_contact(
    client, site, officer, reviewer, foreign_officer, mailoutbox, django_capture_on_commit_callbacks
):
    make_member("uploader-id", Role.SURVEY_UPLOADER, "ID")
    make_member("reviewer-ph", Role.REVIEWER, "PH")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(report_url(site), report_form(contact=CONTACT))
    assert sorted(address for message in mailoutbox for address in message.to) == [
        "officer-id@example.org",
        "reviewer-id@example.org",
    ]
    message = mailoutbox[0]
    assert "Pongkor shaft" in message.subject
    assert CONTACT in message.body and "Children play next to the open shaft." in message.body
    assert f"https://registry.example.org{LIST_URL}?state=new" in message.body


def test_people_who_switched_the_report_mails_off_get_none(
    client, site, officer, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=reviewer, public_reports=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(report_url(site), report_form())
    assert [message.to for message in mailoutbox] == [["officer-id@example.org"]]


def test_the_admin_shows_reports_to_staff_but_changes_go_through_the_list_page(client, site):
    report = make_report(site)
    admin_user = User.objects.create_user("admin", password="pw", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    assert "Pongkor shaft" in client.get("/admin/remediation/publicreport/").content.decode()
    response = client.post(f"/admin/remediation/publicreport/{report.pk}/change/", {"state": "closed"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.state == PublicReportState.NEW
