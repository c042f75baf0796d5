"""Weekly digests: one per country to its officers and reviewers who want it, once a week, in their language."""

import datetime
import io

import pytest
from django.core.management import call_command

from access.models import NotificationPreference, Role
from remediation import tasks
from remediation.digests import digests_due
from remediation.models import WeeklyDigest
from tests.conftest import make_site
from tests.remediation.conftest import make_hazard, make_member, make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "officer-id": make_member("officer-id", Role.ENVIRONMENTAL_OFFICER, "ID"),
        "reviewer-id": make_member("reviewer-id", Role.REVIEWER, "ID"),
        "uploader-id": make_member("uploader-id", Role.SURVEY_UPLOADER, "ID"),
        "officer-ph": make_member("officer-ph", Role.ENVIRONMENTAL_OFFICER, "PH"),
        "quiet-reviewer-ph": make_member("quiet-reviewer-ph", Role.REVIEWER, "PH"),
        "officer-th": make_member("officer-th", Role.ENVIRONMENTAL_OFFICER, "TH"),
    }


@pytest.fixture
def overdue(people):
    """A visit overdue in Indonesia (due 1 August 2025), one in the Philippines; nothing due in Thailand, no drafts."""
    NotificationPreference.objects.create(user=people["quiet-reviewer-ph"], monitoring_digest=False)
    make_visit(
        make_site(name="Pongkor", country="ID"),
        visited_on=datetime.date(2025, 3, 1),
        next_visit_due=datetime.date(2025, 8, 1),
        is_published=True,
    )
    make_visit(
        make_site(name="Toledo", country="PH"),
        visited_on=datetime.date(2025, 3, 1),
        next_visit_due=datetime.date(2025, 9, 1),
        is_published=True,
    )
    make_visit(make_site(name="Chatree", country="TH"), visited_on=datetime.date(2025, 3, 1), is_published=True)


def send(*args) -> str:
    out = io.StringIO()
    call_command("send_digests", *args, stdout=out)
    return out.getvalue()


def by_recipient(mailoutbox) -> dict[str, object]:
    return {address: message for message in mailoutbox for address in message.to}


def test_each_country_sends_one_digest_to_its_officers_and_reviewers(overdue, mailoutbox):
    send()
    messages = by_recipient(mailoutbox)
    assert sorted(messages) == ["officer-id@example.org", "officer-ph@example.org", "reviewer-id@example.org"]
    assert len(mailoutbox) == 3
    indonesia = messages["reviewer-id@example.org"]
    assert "Indonesia" in indonesia.subject and "Pongkor" in indonesia.body and "Toledo" not in indonesia.body
    assert "1 monitoring visit is overdue" in indonesia.body
    assert "Toledo" in messages["officer-ph@example.org"].body


def test_the_digest_counts_the_drafts_waiting(overdue, mailoutbox):
    make_hazard(make_site(country="ID"), is_published=False)
    make_hazard(make_site(country="ID"), is_published=False)
    send()
    assert "2 drafts wait for a reviewer" in by_recipient(mailoutbox)["officer-id@example.org"].body


def test_nothing_goes_out_twice_in_the_same_week(overdue, mailoutbox):
    send()
    mailoutbox.clear()
    assert "No digest is due" in send()
    assert mailoutbox == []
    assert WeeklyDigest.objects.filter(country="ID").get().last_sent_week.weekday() == 0  # stored by its Monday


def test_next_week_the_digest_goes_again(overdue, mailoutbox):
    send()
    WeeklyDigest.objects.update(last_sent_week=datetime.date.today() - datetime.timedelta(days=7))
    mailoutbox.clear()
    send()
    assert len(mailoutbox) == 3


def test_a_dry_run_says_who_would_get_what_and_sends_nothing(overdue, mailoutbox):
    output = send("--dry-run")
    assert mailoutbox == []
    assert not WeeklyDigest.objects.exists()
    assert "ID: 1 overdue visits" in output and "reviewer-id <reviewer-id@example.org>" in output
    assert "quiet-reviewer-ph" not in output and "TH" not in output
    send()
    assert len(mailoutbox) == 3  # the dry run did not use up the week


def test_the_digest_is_written_in_the_recipients_language(overdue, people, mailoutbox):
    NotificationPreference.objects.create(user=people["officer-id"], language="id")
    send()
    messages = by_recipient(mailoutbox)
    assert "1 Agu 2025" in messages["officer-id@example.org"].body  # Indonesian date format
    assert messages["officer-id@example.org"].extra_headers["Content-Language"] == "id"
    assert "1 Agu 2025" not in messages["reviewer-id@example.org"].body


def test_the_weekly_task_sends_the_digests_and_the_worker_enqueues_it_only_when_due(overdue, mailoutbox):
    assert digests_due(datetime.date.today())
    tasks.enqueue_weekly_digests_when_due()  # the test settings run tasks at once
    assert len(mailoutbox) == 3
    assert not digests_due(datetime.date.today())
    tasks.enqueue_weekly_digests_when_due()
    assert len(mailoutbox) == 3


def test_the_worker_checks_for_due_digests_with_every_sweep():
    from geodata.tasks import periodic_jobs

    assert tasks.enqueue_weekly_digests_when_due in periodic_jobs
