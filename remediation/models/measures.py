"""Remediation measures: the work done or planned at a site, its stages, money and treated area."""

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access.models import AuditedRecord
from remediation.models.hazards import Hazard
from remediation.models.records import SiteRecord, SiteRecordQuerySet
from sites.models import Currency, MineSite


class MeasureType(models.TextChoices):
    FENCING_SIGNAGE = "fencing_signage", _("Fencing / signage")
    SHAFT_CAPPING = "shaft_capping", _("Shaft capping / sealing")
    BACKFILLING = "backfilling", _("Backfilling")
    SLOPE_REGRADING = "slope_regrading", _("Slope regrading / stabilisation")
    REVEGETATION = "revegetation", _("Revegetation")
    TOPSOIL_COVER = "topsoil_cover", _("Topsoil / cover")
    TAILINGS_CAPPING = "tailings_capping", _("Tailings capping / stabilisation")
    WATER_TREATMENT = "water_treatment", _("Active or passive water treatment")
    DRAINAGE_CONTROL = "drainage_control", _("Drainage control")
    SOIL_REMOVAL = "soil_removal", _("Contaminated soil removal")
    DEMOLITION = "demolition", _("Structure demolition")
    MONITORING_ONLY = "monitoring_only", _("Monitoring only")
    OTHER = "other", _("Other")


class MeasureStage(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DESIGN = "design", _("Design")
    FUNDED = "funded", _("Funded")
    WORKS_IN_PROGRESS = "works", _("Works in progress")
    COMPLETED = "completed", _("Completed")
    CARE_AND_MAINTENANCE = "care", _("Care and maintenance")
    FAILED_CANCELLED = "failed", _("Failed / cancelled")


# Where each stage may go next. A measure may always fail or be cancelled before it is finished, and
# a completed one may fall back into works when monitoring shows it did not hold.
STAGE_TRANSITIONS: dict[str, set[str]] = {
    MeasureStage.PLANNED: {MeasureStage.DESIGN, MeasureStage.FUNDED, MeasureStage.FAILED_CANCELLED},
    MeasureStage.DESIGN: {MeasureStage.PLANNED, MeasureStage.FUNDED, MeasureStage.FAILED_CANCELLED},
    MeasureStage.FUNDED: {MeasureStage.DESIGN, MeasureStage.WORKS_IN_PROGRESS, MeasureStage.FAILED_CANCELLED},
    MeasureStage.WORKS_IN_PROGRESS: {MeasureStage.COMPLETED, MeasureStage.FAILED_CANCELLED},
    MeasureStage.COMPLETED: {MeasureStage.CARE_AND_MAINTENANCE, MeasureStage.WORKS_IN_PROGRESS},
    MeasureStage.CARE_AND_MAINTENANCE: {MeasureStage.WORKS_IN_PROGRESS, MeasureStage.COMPLETED},
    MeasureStage.FAILED_CANCELLED: {MeasureStage.PLANNED},
}
# The fraction of the way through the life of a measure that each stage stands for (the progress bar).
STAGE_PROGRESS = {
    MeasureStage.PLANNED: 0.1,
    MeasureStage.DESIGN: 0.25,
    MeasureStage.FUNDED: 0.4,
    MeasureStage.WORKS_IN_PROGRESS: 0.65,
    MeasureStage.COMPLETED: 0.9,
    MeasureStage.CARE_AND_MAINTENANCE: 1.0,
    MeasureStage.FAILED_CANCELLED: 0.0,
}
IN_PROGRESS_STAGES = (MeasureStage.DESIGN, MeasureStage.FUNDED, MeasureStage.WORKS_IN_PROGRESS)
DONE_STAGES = (MeasureStage.COMPLETED, MeasureStage.CARE_AND_MAINTENANCE)


# Map colours of the treated areas by stage (the public map's "Remediation areas" overlay and its legend).
STAGE_COLOURS = {
    MeasureStage.PLANNED: "#9ecae1",
    MeasureStage.DESIGN: "#6baed6",
    MeasureStage.FUNDED: "#3182bd",
    MeasureStage.WORKS_IN_PROGRESS: "#fd8d3c",
    MeasureStage.COMPLETED: "#31a354",
    MeasureStage.CARE_AND_MAINTENANCE: "#006d2c",
    MeasureStage.FAILED_CANCELLED: "#969696",
}


class RemediationProgress(models.TextChoices):
    """How far a site's remediation has come, for colouring sites on the map (see queries)."""

    NONE = "none", _("No remediation")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


PROGRESS_COLOURS = {
    RemediationProgress.NONE: "#bdbdbd",
    RemediationProgress.PLANNED: "#6baed6",
    RemediationProgress.IN_PROGRESS: "#fd8d3c",
    RemediationProgress.COMPLETED: "#31a354",
}


def may_change_stage(current: str, new: str) -> bool:
    """Whether a measure may move from stage `current` to `new` (staying put is always allowed)."""
    return current == new or new in STAGE_TRANSITIONS.get(current, set())


class FundingSource(models.TextChoices):
    NATIONAL_FUND = "national_fund", _("National fund")
    LEVY = "levy", _("Levy")
    BOND = "bond", _("Bond / financial assurance")
    DONOR = "donor", _("Donor")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other")


class RemediationMeasure(SiteRecord):
    """Work done (or planned) at a site to address some of its hazards, with its money and its area."""

    site = models.ForeignKey(MineSite, on_delete=models.CASCADE, related_name="measures", verbose_name=_("site"))
    hazards = models.ManyToManyField(Hazard, blank=True, related_name="measures", verbose_name=_("hazards"))
    measure_type = models.CharField(_("type"), max_length=32, choices=MeasureType.choices)
    stage = models.CharField(
        max_length=16, choices=MeasureStage.choices, default=MeasureStage.PLANNED, verbose_name=_("stage")
    )
    planned_start = models.DateField(null=True, blank=True, verbose_name=_("planned start"))
    planned_end = models.DateField(null=True, blank=True, verbose_name=_("planned end"))
    actual_start = models.DateField(null=True, blank=True, verbose_name=_("actual start"))
    actual_end = models.DateField(null=True, blank=True, verbose_name=_("actual end"))
    responsible_agency = models.CharField(max_length=200, blank=True, verbose_name=_("responsible agency"))
    contractor = models.CharField(max_length=200, blank=True, verbose_name=_("contractor"))
    funding_source = models.CharField(
        max_length=16, choices=FundingSource.choices, blank=True, verbose_name=_("funding source")
    )
    budget_amount = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, verbose_name=_("budget amount")
    )
    actual_cost_amount = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, verbose_name=_("actual cost amount")
    )
    cost_currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, blank=True, help_text=_("Of the budget and actual cost.")
    )
    treated_area = models.MultiPolygonField(srid=4326, null=True, blank=True, verbose_name=_("treated area"))
    # Kept with the polygon (see save()) so reports can sum it in SQL; measured on the ellipsoid.
    treated_area_ha = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True, editable=False, verbose_name=_("treated area ha")
    )
    description = models.TextField(blank=True, verbose_name=_("description"))
    closure_criteria = models.TextField(blank=True, verbose_name=_("closure criteria"))
    signed_off_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("signed off by")
    )
    signed_off_at = models.DateTimeField(null=True, blank=True, verbose_name=_("signed off at"))

    history = HistoricalRecords(excluded_fields=AuditedRecord.UNTRACKED_FIELDS)
    objects = SiteRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("remediation measure")
        verbose_name_plural = _("remediation measures")
        ordering = ["site", "-planned_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(budget_amount__gte=0), name="measure_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(actual_cost_amount__isnull=True) | Q(actual_cost_amount__gte=0),
                name="measure_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=(Q(budget_amount__isnull=True) & Q(actual_cost_amount__isnull=True)) | ~Q(cost_currency=""),
                name="measure_money_has_currency",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="measure_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True)
                | Q(actual_end__isnull=True)
                | Q(actual_end__gte=F("actual_start")),
                name="measure_actual_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(treated_area_ha__isnull=True) | Q(treated_area_ha__gte=0), name="measure_area_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(cost_currency__in=["", *Currency.values]), name="measure_currency_iso_4217"
            ),
        ]
        indexes = [models.Index(fields=["stage"])]

    def __str__(self) -> str:
        return gettext("%(type)s at %(site)s") % {"type": self.get_measure_type_display(), "site": self.site.name}

    def save(self, *args, **kwargs):
        from geodata.crs import geodesic_area_ha

        self.treated_area_ha = round(geodesic_area_ha(self.treated_area), 4) if self.treated_area else None
        super().save(*args, **kwargs)

    @property
    def stage_progress(self) -> float:
        return STAGE_PROGRESS[self.stage]

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    def clean(self):
        errors = {}
        for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
            if getattr(self, start) and getattr(self, end) and getattr(self, end) < getattr(self, start):
                errors[end] = _("The end date cannot be before the start date.")
        for field in ("budget_amount", "actual_cost_amount"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = _("An amount of money cannot be negative.")
        if (self.budget_amount is not None or self.actual_cost_amount is not None) and not self.cost_currency:
            errors["cost_currency"] = _("Give the currency of the budget and cost.")
        if self.stage in DONE_STAGES and not self.actual_end:
            errors["actual_end"] = _("A completed measure needs the date the works ended.")
        if self.actual_end and not self.actual_start:
            errors["actual_start"] = _("Give the date the works started as well.")
        if self.treated_area is not None and not self.treated_area.valid:
            errors["treated_area"] = _("The treated area is not a valid polygon: %(reason)s") % {
                "reason": self.treated_area.valid_reason
            }
        if errors:
            raise ValidationError(errors)
