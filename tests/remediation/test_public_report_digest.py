"""The weekly digest counts the reports from the public of the week before, for those who want them."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from access.models import NotificationPreference, Role
from remediation.digests import week_of
from remediation.models import PublicReport, PublicReportKind
from tests.conftest import make_site
from tests.remediation.conftest import make_member

pytestmark = pytest.mark.django_db


def received(site, when: datetime.datetime, contact: str = "") -> PublicReport:
    report = PublicReport.objects.create(
        site=site, kind=PublicReportKind.HAZARD, description="A new collapse.", contact=contact
    )
    PublicReport.objects.filter(pk=report.pk).update(created_at=when)
    return report


def last_week_start() -> datetime.datetime:
    monday = week_of(datetime.date.today()) - datetime.timedelta(days=7)
    return timezone.make_aware(datetime.datetime.combine(monday, datetime.time()))


def by_recipient(mailoutbox) -> dict:
    return {address: message for message in mailoutbox for address in message.to}


def test_the_digest_counts_last_weeks_reports_of_the_country_and_links_to_them(mailoutbox):
    officer = make_member("officer-id", Role.ENVIRONMENTAL_OFFICER, "ID")
    make_member("officer-ph", Role.ENVIRONMENTAL_OFFICER, "PH")
    site = make_site(country="ID")
    start = last_week_start()
    received(site, start + datetime.timedelta(days=1), contact="wati@example.net")
    received(site, start + datetime.timedelta(days=6))
    received(site, start - datetime.timedelta(days=2))  # the week before: still waiting, not counted as arrived
    received(make_site(country="PH"), start + datetime.timedelta(days=2))
    call_command("send_digests", stdout=io.StringIO())
    body = by_recipient(mailoutbox)[officer.email].body
    assert "2 reports from the public arrived last week." in body
    assert "3 reports from the public wait to be read." in body
    assert "/remediation/public-reports/" in body
    assert "wati@example.net" not in body  # the digest counts; contacts stay on the list page
    assert "1 report from the public arrived last week." in by_recipient(mailoutbox)["officer-ph@example.org"].body


def test_each_person_gets_only_the_sections_they_want(mailoutbox):
    reports_only = make_member("reports-only", Role.REVIEWER, "ID")
    NotificationPreference.objects.create(user=reports_only, monitoring_digest=False)
    no_reports = make_member("no-reports", Role.ENVIRONMENTAL_OFFICER, "ID")
    NotificationPreference.objects.create(user=no_reports, public_reports_digest=False)
    received(make_site(country="ID"), last_week_start() + datetime.timedelta(days=3))
    call_command("send_digests", stdout=io.StringIO())
    messages = by_recipient(mailoutbox)
    assert "report from the public arrived last week" in messages[reports_only.email].body
    assert "monitoring visit" not in messages[reports_only.email].body
    # Nothing is overdue and no draft waits: the monitoring section has no news for the other.
    assert no_reports.email not in messages
