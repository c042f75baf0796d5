"""The weekly digest of each country for its officers and reviewers: overdue monitoring, drafts waiting and
reports from the public.

Overdue visits follow the dashboard's rule (queries.overdue_visits_in). The reports counted are those
received in the week before the digest's week (Monday to Monday), so each report is counted once, and
those still waiting to be read. Each person gets the sections they want (`monitoring_digest`,
`public_reports_digest`), and no e-mail when their sections have no news. Each country's digest goes
at most once per ISO week: the week is stored before the messages leave, in the same transaction.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from access.models import Country, Role
from access.notifications import absolute_url, members_who_want, send_to
from remediation import queries
from remediation.models import WeeklyDigest

logger = logging.getLogger(__name__)

# The overdue visits a digest lists; the rest are counted, and the dashboard shows them.
LISTED_VISITS = 20


@dataclass
class CountryDigest:
    """One country's digest: what it says and to whom (`sent`: it went out, rather than was only planned).

    `recipients` are the people with news in a section they want; `monitoring_readers` and
    `public_report_readers` the ids of those who want each section.
    """

    country: str
    recipients: list[User]
    overdue_count: int
    drafts_count: int
    overdue_visits: list = field(default_factory=list)
    public_reports_count: int = 0
    public_reports_waiting: int = 0
    monitoring_readers: set[int] = field(default_factory=set)
    public_report_readers: set[int] = field(default_factory=set)
    sent: bool = False

    @property
    def has_monitoring_news(self) -> bool:
        return bool(self.overdue_count or self.drafts_count)

    @property
    def has_public_report_news(self) -> bool:
        return bool(self.public_reports_count or self.public_reports_waiting)

    @property
    def has_news(self) -> bool:
        return self.has_monitoring_news or self.has_public_report_news

    def sections_for(self, person: User) -> dict[str, bool]:
        """Which sections `person`'s e-mail holds: those they want that have news."""
        return {
            "show_monitoring": self.has_monitoring_news and person.pk in self.monitoring_readers,
            "show_public_reports": self.has_public_report_news and person.pk in self.public_report_readers,
        }


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s ISO week: how a week is stored."""
    return day - datetime.timedelta(days=day.weekday())


def digests_due(today: datetime.date) -> bool:
    """Whether some country has not had this week's digest (a cheap check the worker makes often)."""
    return WeeklyDigest.objects.filter(last_sent_week__gte=week_of(today)).count() < len(Country.values)


def send_weekly_digests(*, today: datetime.date | None = None, dry_run: bool = False) -> list[CountryDigest]:
    """Send this week's digest of every country that has not had it; return each country's digest that has news.

    With `dry_run`, nothing is sent or stored: the return value says who would get what.
    """
    today = today or datetime.date.today()
    digests = []
    for country in Country.values:
        if dry_run:
            if not WeeklyDigest.objects.filter(country=country, last_sent_week__gte=week_of(today)).exists():
                digests.append(country_digest(country, today))
            continue
        digest = _send_once(country, today)
        if digest is not None:
            digests.append(digest)
    return [digest for digest in digests if digest.has_news]


def country_digest(country: str, today: datetime.date) -> CountryDigest:
    overdue = queries.overdue_visits_in([country], today)
    week_start = timezone.make_aware(datetime.datetime.combine(week_of(today), datetime.time()))
    readers = {
        kind: list(members_who_want(kind, countries=[country], roles=[Role.ENVIRONMENTAL_OFFICER, Role.REVIEWER]))
        for kind in ("monitoring_digest", "public_reports_digest")
    }
    digest = CountryDigest(
        country=country,
        recipients=[],
        overdue_count=overdue.count(),
        drafts_count=queries.count_drafts_awaiting_review([country]),
        overdue_visits=list(overdue[:LISTED_VISITS]),
        public_reports_count=queries.public_reports_received(
            [country], week_start - datetime.timedelta(days=7), week_start
        ).count(),
        public_reports_waiting=queries.count_new_public_reports([country]),
        monitoring_readers={person.pk for person in readers["monitoring_digest"]},
        public_report_readers={person.pk for person in readers["public_reports_digest"]},
    )
    everyone = {person.pk: person for people in readers.values() for person in people}
    digest.recipients = [person for _, person in sorted(everyone.items()) if any(digest.sections_for(person).values())]
    return digest


@transaction.atomic
def _send_once(country: str, today: datetime.date) -> CountryDigest | None:
    """The country's digest for today's week, unless it went already; the row lock stops a second worker."""
    week = week_of(today)
    sent_record, _ = WeeklyDigest.objects.select_for_update().get_or_create(country=country)
    if sent_record.last_sent_week and sent_record.last_sent_week >= week:
        return None
    sent_record.last_sent_week = week
    sent_record.save(update_fields=["last_sent_week"])
    digest = country_digest(country, today)
    if digest.has_news:
        context = _context(digest, week)
        for recipient in digest.recipients:
            _send_quietly(recipient, {**context, **digest.sections_for(recipient)})
        digest.sent = True
    return digest


def _send_quietly(recipient: User, context: dict) -> None:
    """A failing address or mail server is logged; the others still get theirs, and no one gets it twice."""
    try:
        send_to(
            recipient,
            template="notifications/weekly_digest",
            context={**context, "recipient_name": recipient.get_full_name() or recipient.get_username()},
        )
    except Exception:
        logger.exception("The weekly digest could not be sent to %s", recipient.email)


def _context(digest: CountryDigest, week: datetime.date) -> dict:
    return {
        "country": Country(digest.country).label,
        "week": week,
        "overdue_count": digest.overdue_count,
        "drafts_count": digest.drafts_count,
        "visits": [
            {
                "site": visit.site.name,
                "visited_on": visit.visited_on,
                "due": visit.next_visit_due,
                "link": absolute_url(visit.site.get_absolute_url()),
            }
            for visit in digest.overdue_visits
        ],
        "more_count": max(0, digest.overdue_count - len(digest.overdue_visits)),
        "dashboard_link": absolute_url(reverse("remediation:dashboard")),
        "public_reports_count": digest.public_reports_count,
        "public_reports_waiting": digest.public_reports_waiting,
        "public_reports_link": absolute_url(reverse("remediation:public_reports")),
        "settings_link": absolute_url(reverse("notifications")),
    }
