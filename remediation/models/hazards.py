"""Hazards: a site's problem inventory (open shafts, acid drainage...), with priority, size and cost."""

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access.models import AuditedRecord
from remediation.models.records import SiteRecord, SiteRecordQuerySet
from sites.models import Currency, MineSite


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

    site = models.ForeignKey(MineSite, on_delete=models.CASCADE, related_name="hazards", verbose_name=_("site"))
    hazard_type = models.CharField(_("type"), max_length=32, choices=HazardType.choices)
    priority = models.PositiveSmallIntegerField(choices=HazardPriority.choices, verbose_name=_("priority"))
    # Canada's practice: a risk class stays "estimated" until an expert approves it.
    priority_is_approved = models.BooleanField(_("priority approved"), default=False)
    priority_approved_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("priority approved by"),
    )
    priority_approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("priority approved at"))
    quantity = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True, verbose_name=_("quantity"))
    quantity_unit = models.CharField(
        max_length=8, choices=QuantityUnit.choices, blank=True, verbose_name=_("quantity unit")
    )
    location = models.GeometryField(
        srid=4326, null=True, blank=True, help_text=_("A point or polygon near the site."), verbose_name=_("location")
    )
    estimated_cost_amount = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, verbose_name=_("estimated cost amount")
    )
    estimated_cost_currency = models.CharField(
        max_length=3, choices=Currency.choices, blank=True, verbose_name=_("estimated cost currency")
    )
    status = models.CharField(
        max_length=16, choices=HazardStatus.choices, default=HazardStatus.UNADDRESSED, verbose_name=_("status")
    )
    made_safe_on = models.DateField(null=True, blank=True, verbose_name=_("made safe on"))
    notes = models.TextField(blank=True, verbose_name=_("notes"))

    history = HistoricalRecords(excluded_fields=AuditedRecord.UNTRACKED_FIELDS, table_name="sites_historicalhazard")
    objects = SiteRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
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
        return gettext("%(type)s at %(site)s") % {"type": self.get_hazard_type_display(), "site": self.site.name}

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
