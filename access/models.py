"""Countries, roles and memberships: who works for which country, the ground every other app stands on."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Country(models.TextChoices):
    """The ten ASEAN member states and Timor-Leste, by ISO 3166-1 alpha-2 code."""

    BRUNEI = "BN", _("Brunei Darussalam")
    CAMBODIA = "KH", _("Cambodia")
    INDONESIA = "ID", _("Indonesia")
    LAOS = "LA", _("Lao PDR")
    MALAYSIA = "MY", _("Malaysia")
    MYANMAR = "MM", _("Myanmar")
    PHILIPPINES = "PH", _("Philippines")
    SINGAPORE = "SG", _("Singapore")
    THAILAND = "TH", _("Thailand")
    VIETNAM = "VN", _("Viet Nam")
    TIMOR_LESTE = "TL", _("Timor-Leste")


class Role(models.TextChoices):
    SURVEY_UPLOADER = "survey_uploader", _("Survey uploader")
    ENVIRONMENTAL_OFFICER = "environmental_officer", _("Environmental officer")
    REVIEWER = "reviewer", _("Reviewer")


class Membership(models.Model):
    """A person's role for one country: what they may record is limited to that country."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    country = models.CharField(max_length=2, choices=Country.choices, verbose_name=_("country"))
    role = models.CharField(max_length=32, choices=Role.choices, verbose_name=_("role"))

    # The tables keep the names they had when memberships lived in the sites app.
    history = HistoricalRecords(table_name="sites_historicalmembership")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        db_table = "sites_membership"
        constraints = [models.UniqueConstraint(fields=["user", "country", "role"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.get_country_display()}"


class CountryRecord:
    """What the visibility rule (access.visibility) needs to know of a kind of record; mixed into its model."""

    # The lookup from the record to its country's code, and the role that records this kind.
    country_lookup = "country"
    recorder_role = Role.SURVEY_UPLOADER

    @classmethod
    def published_condition(cls) -> Q:
        """When a record of this kind is public (a hazard also needs its site published, a layer to be ready)."""
        return Q(is_published=True)

    def check_publishable(self) -> None:
        """Raise a ValidationError saying why this record cannot be published yet; most always can."""

    def record_country(self) -> str:
        value = self
        for step in self.country_lookup.split("__"):
            value = getattr(value, step)
        return value


class AuditedRecord(CountryRecord, models.Model):
    """The fields every record the public may see carries: published or draft, who created it, and when.

    Each model declares its own `history = HistoricalRecords(excluded_fields=UNTRACKED_FIELDS)`:
    inherited from here, every history table would have to take the name simple-history gives it,
    and hazards keep the table they had in the sites app.
    """

    UNTRACKED_FIELDS = ["updated_at"]  # a save's time is the history row's own date

    is_published = models.BooleanField(default=False, verbose_name=_("is published"))
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        abstract = True


def default_language() -> str:
    """New people read the registry's own language until they choose another."""
    from django.conf import settings

    return settings.LANGUAGE_CODE


class NotificationPreference(models.Model):
    """Which e-mails a person wants, and in which language; without a row, they get every one in the default."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="notification_preference")
    review_requested = models.BooleanField(_("a record waits for my review"), default=True)
    published = models.BooleanField(_("a record of mine was published"), default=True)
    sent_back = models.BooleanField(_("a record of mine was sent back to me"), default=True)
    monitoring_digest = models.BooleanField(_("weekly digest of overdue monitoring"), default=True)
    public_reports = models.BooleanField(_("a report from the public arrives for my country"), default=True)
    public_reports_digest = models.BooleanField(_("weekly digest of reports from the public"), default=True)
    # A code of settings.LANGUAGES (the form offers those); not `choices` here, so a new language needs no migration.
    language = models.CharField(_("language of the e-mails"), max_length=10, default=default_language)

    def __str__(self) -> str:
        return f"Notifications of {self.user}"


class Decision(models.TextChoices):
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SENT_BACK = "sent_back", _("Sent back")


class ReviewDecision(models.Model):
    """A reviewer's decision on one record of any kind: kept so its author reads why a draft came back."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="review_decision_record")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} — {self.content_type.model} {self.object_id}"


class ProposalState(models.TextChoices):
    PENDING = "pending", _("Waits for review")
    ACCEPTED = "accepted", _("Accepted")
    SENT_BACK = "sent_back", _("Sent back")


class ProposedChange(models.Model):
    """A change to a published record held until a reviewer of its country accepts it (access.proposals).

    `values` holds the proposed field values, JSON-ready (dates in ISO form, numbers as text, geometry
    as WKT, related records by id); the record itself keeps its published values until then.
    """

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    # The record's country when proposed, so reviewers' lists need not open every record.
    country = models.CharField(max_length=2, choices=Country.choices)
    values = models.JSONField()
    author = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="proposed_changes")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    state = models.CharField(max_length=16, choices=ProposalState.choices, default=ProposalState.PENDING)
    decided_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(state="pending"),
                name="one_pending_change_per_record",
            )
        ]
        indexes = [models.Index(fields=["country"], condition=Q(state="pending"), name="pending_changes")]

    def __str__(self) -> str:
        return f"{self.content_type.name} {self.object_id} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("proposals:detail", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.state == ProposalState.PENDING

    def record_country(self) -> str:
        return self.country
