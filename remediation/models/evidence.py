"""Evidence: the photos and PDFs that prove what was recorded."""

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access.models import AuditedRecord
from remediation.models.hazards import Hazard
from remediation.models.measures import RemediationMeasure
from remediation.models.records import SiteRecord, SiteRecordQuerySet
from remediation.models.visits import MonitoringVisit
from sites.models import MineSite


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("PDF document")


class PairRole(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


class Evidence(SiteRecord):
    """A photo or PDF that proves what was recorded, attached to one hazard, measure or visit of a site."""

    site = models.ForeignKey(MineSite, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("site"))
    hazard = models.ForeignKey(
        Hazard, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence", verbose_name=_("hazard")
    )
    measure = models.ForeignKey(
        RemediationMeasure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("measure"),
    )
    visit = models.ForeignKey(
        MonitoringVisit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("visit"),
    )
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices, verbose_name=_("kind"))
    file = models.FileField(upload_to="evidence/%Y/%m/", verbose_name=_("file"))
    thumbnail = models.FileField(upload_to="evidence/thumbnails/%Y/%m/", blank=True, verbose_name=_("thumbnail"))
    public_file = models.FileField(
        upload_to="evidence/public/%Y/%m/",
        blank=True,
        help_text=_("The copy readers outside the site's country get: without the names its metadata holds."),
        verbose_name=_("public file"),
    )
    content_type = models.CharField(max_length=50, verbose_name=_("content type"))
    size_bytes = models.PositiveBigIntegerField(verbose_name=_("size bytes"))
    original_name = models.CharField(max_length=255, verbose_name=_("original name"))
    caption = models.CharField(max_length=300, verbose_name=_("caption"))
    pair_role = models.CharField(
        _("before / after"), max_length=8, choices=PairRole.choices, blank=True, help_text=_("For photo pairs.")
    )
    taken_at = models.DateTimeField(
        null=True, blank=True, help_text=_("From the photo's EXIF data."), verbose_name=_("taken at")
    )
    taken_location = models.PointField(
        srid=4326, null=True, blank=True, help_text=_("From the photo's EXIF GPS."), verbose_name=_("taken location")
    )

    history = HistoricalRecords(excluded_fields=AuditedRecord.UNTRACKED_FIELDS)
    objects = SiteRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence")
        ordering = ["site", "created_at", "id"]
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(hazard__isnull=False, measure__isnull=True, visit__isnull=True)
                    | Q(hazard__isnull=True, measure__isnull=False, visit__isnull=True)
                    | Q(hazard__isnull=True, measure__isnull=True, visit__isnull=False)
                ),
                name="evidence_attached_to_one_record",
            ),
        ]

    def __str__(self) -> str:
        return self.caption

    @property
    def attached_to(self):
        return self.hazard or self.measure or self.visit

    @property
    def is_photo(self) -> bool:
        return self.kind == EvidenceKind.PHOTO

    def clean(self):
        attached = [record for record in (self.hazard, self.measure, self.visit) if record is not None]
        if len(attached) != 1:
            raise ValidationError(_("Attach the evidence to exactly one hazard, measure or visit."))
        if attached[0].site_id != self.site_id:
            raise ValidationError(_("The record the evidence is attached to belongs to another site."))
        if self.pair_role and self.kind != EvidenceKind.PHOTO:
            raise ValidationError({"pair_role": _("Only photos make before/after pairs.")})
