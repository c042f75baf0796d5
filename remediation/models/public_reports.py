"""Reports from the public: what people living near a site saw there, for its country's officers and reviewers.

A report is never public. The person who wrote it may leave a way to reach them (`contact`): that
is personal data, read only by the officers and reviewers of the site's country and by staff.
Reports are text only: a photo could show faces, number plates or the reporter's own house.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from sites.models import MineSite

DESCRIPTION_MAX_CHARS = 2000
CONTACT_MAX_CHARS = 200


class PublicReportKind(models.TextChoices):
    HAZARD = "hazard", _("A new or worse hazard")
    PERSON_AT_RISK = "person_at_risk", _("Someone is at risk")
    POLLUTION = "pollution", _("Water or soil pollution")
    SIGN_OR_FENCE = "sign_or_fence", _("A sign or fence is damaged")
    OTHER = "other", _("Something else")


class PublicReportState(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", pgettext_lazy("public report", "Closed")


# Where a report may go next: one look, then closed; a closed report stays closed.
PUBLIC_REPORT_TRANSITIONS = {
    PublicReportState.NEW: {PublicReportState.ACKNOWLEDGED, PublicReportState.CLOSED},
    PublicReportState.ACKNOWLEDGED: {PublicReportState.CLOSED},
    PublicReportState.CLOSED: set(),
}


class PublicReportQuerySet(models.QuerySet):
    def in_countries(self, codes):
        return self.filter(site__country__in=codes)


class PublicReport(models.Model):
    site = models.ForeignKey(MineSite, on_delete=models.CASCADE, related_name="public_reports")
    kind = models.CharField(_("what you saw"), max_length=20, choices=PublicReportKind.choices)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_CHARS)
    contact = models.CharField(_("how to reach you"), max_length=CONTACT_MAX_CHARS, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=20, choices=PublicReportState.choices, default=PublicReportState.NEW
    )
    handled_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("handled by")
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handling_note = models.TextField(_("note"), blank=True)

    # The contact is kept once, on the report: erasing it there must not leave a copy in the history.
    history = HistoricalRecords(excluded_fields=["contact"])
    objects = PublicReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report from the public")
        verbose_name_plural = _("reports from the public")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"], name="public_report_state_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    GreaterThan(Length("description"), 0), LessThanOrEqual(Length("description"), DESCRIPTION_MAX_CHARS)
                ),
                name="public_report_description_length",
            ),
            models.CheckConstraint(
                condition=Q(state=PublicReportState.NEW) | Q(handled_at__isnull=False),
                name="public_report_handled_when_not_new",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.site.name}"
