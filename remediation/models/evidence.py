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

    site = models.ForeignKey(MineSite, on_delete=models.CASCADE, related_name="evidence")
    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence")
    measure = models.ForeignKey(
        RemediationMeasure, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    visit = models.ForeignKey(MonitoringVisit, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence")
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    file = models.FileField(upload_to="evidence/%Y/%m/")
    thumbnail = models.FileField(upload_to="evidence/thumbnails/%Y/%m/", blank=True)
    public_file = models.FileField(
        upload_to="evidence/public/%Y/%m/",
        blank=True,
        help_text=_("The copy readers outside the site's country get: without the names its metadata holds."),
    )
    content_type = models.CharField(max_length=50)
    size_bytes = models.PositiveBigIntegerField()
    original_name = models.CharField(max_length=255)
    caption = models.CharField(max_length=300)
    pair_role = models.CharField(
        "before / after", max_length=8, choices=PairRole.choices, blank=True, help_text=_("For photo pairs.")
    )
    taken_at = models.DateTimeField(null=True, blank=True, help_text=_("From the photo's EXIF data."))
    taken_location = models.PointField(srid=4326, null=True, blank=True, help_text=_("From the photo's EXIF GPS."))

    history = HistoricalRecords(excluded_fields=AuditedRecord.UNTRACKED_FIELDS)
    objects = SiteRecordQuerySet.as_manager()

    class Meta:
        ordering = ["site", "created_at", "id"]
        verbose_name_plural = "evidence"
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
