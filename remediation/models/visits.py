"""Monitoring visits and the readings taken on them."""

import datetime

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access.models import AuditedRecord
from remediation.models.measures import RemediationMeasure
from remediation.models.records import SiteRecord, SiteRecordQuerySet
from sites.models import MineSite


def latest_visit_date() -> datetime.date:
    """The latest day a visit can have taken place: today, in the time zone furthest ahead of UTC (UTC+14)."""
    return (timezone.now() + datetime.timedelta(hours=14)).date()


class MonitoringVisit(SiteRecord):
    """A visit to a site (often to one measure) to see whether the remediation holds."""

    site = models.ForeignKey(MineSite, on_delete=models.CASCADE, related_name="visits", verbose_name=_("site"))
    measure = models.ForeignKey(
        RemediationMeasure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("measure"),
    )
    visited_on = models.DateField(verbose_name=_("visited on"))
    officer = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("officer")
    )
    observations = models.TextField(blank=True, verbose_name=_("observations"))
    next_visit_due = models.DateField(null=True, blank=True, verbose_name=_("next visit due"))

    history = HistoricalRecords(excluded_fields=AuditedRecord.UNTRACKED_FIELDS)
    objects = SiteRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("monitoring visit")
        verbose_name_plural = _("monitoring visits")
        ordering = ["site", "-visited_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_visit_due__isnull=True) | Q(next_visit_due__gt=F("visited_on")),
                name="visit_next_due_after_visit",
            )
        ]
        indexes = [models.Index(fields=["next_visit_due"])]

    def __str__(self) -> str:
        return gettext("Visit to %(site)s on %(day)s") % {
            "site": self.site.name,
            "day": date_format(self.visited_on, "d M Y"),  # month in the reader's language; "01 Mar 2025" in English
        }

    def clean(self):
        errors = {}
        if self.visited_on and self.visited_on > latest_visit_date():
            errors["visited_on"] = _("A visit cannot be in the future: give the day it took place.")
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

    visit = models.ForeignKey(
        MonitoringVisit, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("visit")
    )
    parameter = models.CharField(max_length=32, choices=Parameter.choices, verbose_name=_("parameter"))
    parameter_detail = models.CharField(
        max_length=100, blank=True, help_text=_("Which metal, which borehole…"), verbose_name=_("parameter detail")
    )
    value = models.DecimalField(max_digits=14, decimal_places=4, verbose_name=_("value"))
    unit = models.CharField(max_length=8, choices=MeasurementUnit.choices, verbose_name=_("unit"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
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
