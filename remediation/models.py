"""Remediation measures, monitoring visits and evidence per site (action plan ES4)."""

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access.models import AuditedRecord, Role
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


class SiteRecordQuerySet(models.QuerySet):
    """Filters shared by every record that belongs to a site."""

    def published(self):
        return self.filter(self.model.published_condition())

    def in_countries(self, codes):
        return self.filter(site__country__in=codes)


class SiteRecord(AuditedRecord):
    """A record officers keep about one site: public once it and its site are both published."""

    country_lookup = "site__country"
    recorder_role = Role.ENVIRONMENTAL_OFFICER

    class Meta:
        abstract = True

    @classmethod
    def published_condition(cls) -> Q:
        return Q(is_published=True, site__is_published=True)


class HazardType(models.TextChoices):
    OPEN_SHAFT = "open_shaft", _("Open shaft")
    ADIT = "adit", _("Adit / portal")
    OTHER_VERTICAL_OPENING = "other_vertical_opening", _("Other vertical opening")
    HIGHWALL = "highwall", _("Highwall / pit edge")
    SUBSIDENCE = "subsidence", _("Subsidence")
    UNSTABLE_SLOPE = "unstable_slope", _("Unstable slope")
    HAZARDOUS_STRUCTURE = "hazardous_structure", _("Hazardous structure")
    TAILINGS_FACILITY = "tailings_facility", _("Tailings facility")
    WASTE_ROCK_DUMP = "waste_rock_dump", _("Waste rock dump")
    ACID_DRAINAGE = "acid_drainage", _("Acid or metalliferous drainage")
    CONTAMINATED_SOIL = "contaminated_soil", _("Contaminated soil")
    POLLUTED_WATER = "polluted_water", _("Polluted water body")
    DUST = "dust", _("Dust")
    GAS = "gas", _("Gas")
    EXPLOSIVES_CHEMICALS = "explosives_chemicals", _("Explosives / chemicals")
    OTHER = "other", _("Other")


class HazardPriority(models.IntegerChoices):
    """e-AMLIS priorities: 1 and 2 threaten people, 3 the environment or other values."""

    EXTREME_DANGER = 1, _("1 — Extreme danger to people")
    DANGER = 2, _("2 — Danger to people")
    ENVIRONMENTAL = 3, _("3 — Environmental or other")


# Map colours of hazards by priority (the public map's "Hazards" overlay and its legend).
PRIORITY_COLOURS = {
    HazardPriority.EXTREME_DANGER: "#b2182b",
    HazardPriority.DANGER: "#ef8a62",
    HazardPriority.ENVIRONMENTAL: "#7b3294",
}


class QuantityUnit(models.TextChoices):
    COUNT = "count", _("count")
    METRES = "m", "m"
    SQUARE_METRES = "m2", "m²"
    HECTARES = "ha", "ha"
    CUBIC_METRES = "m3", "m³"
    LITRES = "L", "L"


class HazardStatus(models.TextChoices):
    UNADDRESSED = "unaddressed", _("Unaddressed")
    FUNDED = "funded", _("Funded")
    IN_PROGRESS = "in_progress", _("In progress")
    MADE_SAFE = "made_safe", _("Made safe")
    MONITORING = "monitoring", _("Monitoring")


SAFE_HAZARD_STATUSES = (HazardStatus.MADE_SAFE, HazardStatus.MONITORING)
# How far from the site's point a hazard may be drawn: a large mine spans a few kilometres.
HAZARD_MAX_DISTANCE_M = 20_000


class Hazard(SiteRecord):
    """One problem at a site (an open shaft, acid drainage...), with its priority, size and cost to fix.

    The site's problem inventory, recorded and reported whether or not any measure ever addresses
    them (as e-AMLIS keeps problems apart from the projects that fix them): measures point at
    hazards, never the reverse. The table keeps the name it had when hazards lived in the sites app.
    """

    site = models.ForeignKey(MineSite, on_delete=models.CASCADE, related_name="hazards")
    hazard_type = models.CharField("type", max_length=32, choices=HazardType.choices)
    priority = models.PositiveSmallIntegerField(choices=HazardPriority.choices)
    # Canada's practice: a risk class stays "estimated" until an expert approves it.
    priority_is_approved = models.BooleanField("priority approved", default=False)
    priority_approved_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    priority_approved_at = models.DateTimeField(null=True, blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    quantity_unit = models.CharField(max_length=8, choices=QuantityUnit.choices, blank=True)
    location = models.GeometryField(srid=4326, null=True, blank=True, help_text=_("A point or polygon near the site."))
    estimated_cost_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    estimated_cost_currency = models.CharField(max_length=3, choices=Currency.choices, blank=True)
    status = models.CharField(max_length=16, choices=HazardStatus.choices, default=HazardStatus.UNADDRESSED)
    made_safe_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=AuditedRecord.UNTRACKED_FIELDS, table_name="sites_historicalhazard")
    objects = SiteRecordQuerySet.as_manager()

    class Meta:
        db_table = "sites_hazard"
        ordering = ["site", "priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0), name="hazard_quantity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | ~Q(quantity_unit=""), name="hazard_quantity_has_unit"
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost_amount__isnull=True) | Q(estimated_cost_amount__gte=0),
                name="hazard_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost_amount__isnull=True) | ~Q(estimated_cost_currency=""),
                name="hazard_cost_has_currency",
            ),
            models.CheckConstraint(
                condition=Q(priority_is_approved=False) | Q(priority_approved_at__isnull=False),
                name="hazard_approval_has_date",
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost_currency__in=["", *Currency.values]), name="hazard_currency_iso_4217"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_hazard_type_display()} at {self.site.name}"

    @property
    def is_safe(self) -> bool:
        return self.status in SAFE_HAZARD_STATUSES

    @property
    def affected_area_ha(self) -> float | None:
        """The area the hazard covers, from its quantity when measured as an area, else its polygon."""
        if self.quantity is not None and self.quantity_unit == QuantityUnit.HECTARES:
            return float(self.quantity)
        if self.quantity is not None and self.quantity_unit == QuantityUnit.SQUARE_METRES:
            return float(self.quantity) / 10_000
        if self.location is not None and self.location.geom_type in ("Polygon", "MultiPolygon"):
            from geodata.crs import geodesic_area_ha

            return geodesic_area_ha(self.location)
        return None

    def clean(self):
        from geodata.crs import geodesic_distance_m

        errors = {}
        if self.quantity is not None and not self.quantity_unit:
            errors["quantity_unit"] = _("Give the unit of the quantity.")
        if self.quantity is not None and self.quantity < 0:
            errors["quantity"] = _("A quantity cannot be negative.")
        if self.estimated_cost_amount is not None and not self.estimated_cost_currency:
            errors["estimated_cost_currency"] = _("Give the currency of the estimated cost.")
        if self.estimated_cost_amount is not None and self.estimated_cost_amount < 0:
            errors["estimated_cost_amount"] = _("A cost cannot be negative.")
        if self.status in SAFE_HAZARD_STATUSES and not self.made_safe_on:
            errors["made_safe_on"] = _("Give the date the hazard was made safe.")
        if self.location is not None and self.location.geom_type not in ("Point", "Polygon", "MultiPolygon"):
            errors["location"] = _("Draw a point or a polygon.")
        elif self.location is not None and self.site_id and self.site.location:
            centre = self.location.centroid
            distance = geodesic_distance_m(centre.x, centre.y, self.site.location.x, self.site.location.y)
            if distance > HAZARD_MAX_DISTANCE_M:
                errors["location"] = _(
                    "The location is %(km).0f km from the site; hazards must be within %(max).0f km."
                ) % {
                    "km": distance / 1000,
                    "max": HAZARD_MAX_DISTANCE_M / 1000,
                }
        if errors:
            raise ValidationError(errors)


class RemediationMeasure(SiteRecord):
    """Work done (or planned) at a site to address some of its hazards, with its money and its area."""

    site = models.ForeignKey(MineSite, on_delete=models.CASCADE, related_name="measures")
    hazards = models.ManyToManyField(Hazard, blank=True, related_name="measures")
    measure_type = models.CharField("type", max_length=32, choices=MeasureType.choices)
    stage = models.CharField(max_length=16, choices=MeasureStage.choices, default=MeasureStage.PLANNED)
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    responsible_agency = models.CharField(max_length=200, blank=True)
    contractor = models.CharField(max_length=200, blank=True)
    funding_source = models.CharField(max_length=16, choices=FundingSource.choices, blank=True)
    budget_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    actual_cost_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    cost_currency = models.CharField(
        "currency", max_length=3, choices=Currency.choices, blank=True, help_text=_("Of the budget and actual cost.")
    )
    treated_area = models.MultiPolygonField(srid=4326, null=True, blank=True)
    # Kept with the polygon (see save()) so reports can sum it in SQL; measured on the ellipsoid.
    treated_area_ha = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True, editable=False)
    description = models.TextField(blank=True)
    closure_criteria = models.TextField(blank=True)
    signed_off_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    signed_off_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=AuditedRecord.UNTRACKED_FIELDS)
    objects = SiteRecordQuerySet.as_manager()

    class Meta:
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
        return f"{self.get_measure_type_display()} at {self.site.name}"

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


class MonitoringVisit(SiteRecord):
    """A visit to a site (often to one measure) to see whether the remediation holds."""

    site = models.ForeignKey(MineSite, on_delete=models.CASCADE, related_name="visits")
    measure = models.ForeignKey(
        RemediationMeasure, on_delete=models.CASCADE, null=True, blank=True, related_name="visits"
    )
    visited_on = models.DateField()
    officer = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    observations = models.TextField(blank=True)
    next_visit_due = models.DateField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=AuditedRecord.UNTRACKED_FIELDS)
    objects = SiteRecordQuerySet.as_manager()

    class Meta:
        ordering = ["site", "-visited_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_visit_due__isnull=True) | Q(next_visit_due__gt=F("visited_on")),
                name="visit_next_due_after_visit",
            )
        ]
        indexes = [models.Index(fields=["next_visit_due"])]

    def __str__(self) -> str:
        return f"Visit to {self.site.name} on {self.visited_on:%d %b %Y}"

    def clean(self):
        errors = {}
        if self.next_visit_due and self.visited_on and self.next_visit_due <= self.visited_on:
            errors["next_visit_due"] = _("The next visit must be due after this one.")
        if self.measure_id and self.site_id and self.measure.site_id != self.site_id:
            errors["measure"] = _("The measure belongs to another site.")
        if errors:
            raise ValidationError(errors)


class Parameter(models.TextChoices):
    PH = "ph", "pH"
    ELECTRICAL_CONDUCTIVITY = "ec", _("Electrical conductivity")
    TURBIDITY = "turbidity", _("Turbidity")
    VEGETATION_COVER = "vegetation_cover", _("Vegetation cover")
    SETTLEMENT = "settlement", _("Settlement")
    DISSOLVED_METALS = "dissolved_metals", _("Dissolved metals")
    SULPHATE = "sulphate", _("Sulphate")
    WATER_LEVEL = "water_level", _("Water level")
    OTHER = "other", _("Other")


class MeasurementUnit(models.TextChoices):
    PH_UNITS = "pH", _("pH units")
    MICROSIEMENS_PER_CM = "uS_cm", "µS/cm"
    NTU = "NTU", "NTU"
    PERCENT = "percent", "%"
    MILLIMETRES = "mm", "mm"
    METRES = "m", "m"
    MILLIGRAMS_PER_LITRE = "mg_L", "mg/L"


class Measurement(models.Model):
    """One reading taken on a visit: a parameter, its value and unit."""

    visit = models.ForeignKey(MonitoringVisit, on_delete=models.CASCADE, related_name="measurements")
    parameter = models.CharField(max_length=32, choices=Parameter.choices)
    parameter_detail = models.CharField(max_length=100, blank=True, help_text=_("Which metal, which borehole…"))
    value = models.DecimalField(max_digits=14, decimal_places=4)
    unit = models.CharField(max_length=8, choices=MeasurementUnit.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["visit", "parameter", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parameter="ph") | (Q(value__gte=0) & Q(value__lte=14)), name="measurement_ph_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(parameter="vegetation_cover") | (Q(value__gte=0) & Q(value__lte=100)),
                name="measurement_cover_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_parameter_display()} {self.value} {self.get_unit_display()}"

    def clean(self):
        if self.value is None:
            return
        if self.parameter == Parameter.PH and not 0 <= self.value <= 14:
            raise ValidationError({"value": _("pH lies between 0 and 14.")})
        if self.parameter == Parameter.VEGETATION_COVER and not 0 <= self.value <= 100:
            raise ValidationError({"value": _("A cover is a percentage between 0 and 100.")})


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
