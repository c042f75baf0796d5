"""Reports from the public: receiving one, telling its country's officers and reviewers, and handling it.

The only code that creates or changes a PublicReport; the pages (and any later API) call these.
"""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import Country, Role
from access.notifications import absolute_url, members_who_want, send_to
from access.roles import working_countries
from remediation.models import PUBLIC_REPORT_TRANSITIONS, PublicReport, PublicReportState
from sites.models import MineSite

# Who hears of a report on arrival, and who handles it.
HANDLING_ROLES = (Role.ENVIRONMENTAL_OFFICER, Role.REVIEWER)


@dataclass(frozen=True)
class PublicReportData:
    kind: str
    description: str
    contact: str = ""


@transaction.atomic
def receive_public_report(*, site: MineSite, data: PublicReportData) -> PublicReport:
    """Store what a member of the public saw at a published site; its country's people are told once it is saved."""
    if not site.is_published:
        raise ValidationError(_("Reports are taken only for sites the registry has published."))
    report = PublicReport(site=site, kind=data.kind, description=data.description.strip(), contact=data.contact.strip())
    report.full_clean()
    report.save()
    _tell_country(report)
    return report


def may_handle_public_report(user, report: PublicReport) -> bool:
    """The officers and reviewers of the site's country acknowledge and close its reports (staff only read them)."""
    return report.site.country in working_countries(user, Role.ENVIRONMENTAL_OFFICER)


@transaction.atomic
def handle_public_report(*, report: PublicReport, by: User, state: str, note: str = "") -> PublicReport:
    """Acknowledge or close a report with a note; the history keeps who did it and every earlier note."""
    stored = PublicReport.objects.select_for_update().select_related("site").get(pk=report.pk)
    if not may_handle_public_report(by, stored):
        raise PermissionDenied(
            _("Only the environmental officers and reviewers of %(country)s handle its reports from the public.")
            % {"country": stored.site.get_country_display()}
        )
    if state not in PUBLIC_REPORT_TRANSITIONS[stored.state]:
        raise ValidationError(
            _("A report that is “%(current)s” cannot become “%(next)s”.")
            % {"current": stored.get_state_display(), "next": PublicReportState(state).label}
        )
    stored.state = state
    stored.handled_by = by
    stored.handled_at = timezone.now()
    stored.handling_note = note.strip()
    stored.full_clean()
    stored._history_user = by
    stored.save()
    return stored


def _tell_country(report: PublicReport) -> None:
    """An e-mail, with the reporter's contact, to the officers and reviewers of the site's country who want it."""
    country = report.site.country
    recipients = list(members_who_want("public_reports", countries=[country], roles=HANDLING_ROLES))
    context = {
        "site": report.site.name,
        "country": Country(country).label,
        "kind": report.get_kind_display(),
        "description": report.description,
        "contact": report.contact,
        "link": absolute_url(reverse("remediation:public_reports") + f"?state={PublicReportState.NEW}"),
        "settings_link": absolute_url(reverse("notifications")),
    }
    for recipient in recipients:
        message_context = {**context, "recipient_name": recipient.get_full_name() or recipient.get_username()}
        # robust: a failing mail server is logged; the report stays saved.
        transaction.on_commit(
            lambda recipient=recipient, message_context=message_context: send_to(
                recipient, template="notifications/public_report", context=message_context
            ),
            robust=True,
        )
