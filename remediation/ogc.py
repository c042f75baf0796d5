"""Hazards and treated areas as OGC API – Features collections (registered from RemediationConfig.ready())."""

from django.db.models import BooleanField, ExpressionWrapper, F, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from access.visibility import visible
from geodata.ogc.collections import Collection, as_date, as_number
from remediation import placement
from remediation.models import Hazard, RemediationMeasure


def _hazard_properties(hazard) -> dict:
    # Who recorded or approved a hazard, and its free-text notes, are left out: they may name people.
    return {
        "site_id": hazard.site_id,
        "site_name": hazard.site.name,
        "country": hazard.site.country,
        "hazard_type": hazard.hazard_type,
        "type": str(hazard.get_hazard_type_display()),
        "priority": hazard.priority,
        "priority_label": str(hazard.get_priority_display()),
        "priority_is_approved": hazard.priority_is_approved,
        "status": hazard.status,
        "made_safe_on": as_date(hazard.made_safe_on),
        "quantity": as_number(hazard.quantity),
        "quantity_unit": hazard.quantity_unit,
        "estimated_cost_amount": as_number(hazard.estimated_cost_amount),
        "estimated_cost_currency": hazard.estimated_cost_currency,
        "location_generalised": hazard.is_generalised,
        "updated_at": hazard.updated_at.isoformat(),
    }


def _visible_hazards(user) -> QuerySet:
    """Hazards as the hazard tiles show them: priority 1 at a 1 km grid node outside the reader's countries."""
    exact_countries = placement.countries_seeing_exact_places(user)
    hazards = visible(Hazard.objects.select_related("site"), user)
    return hazards.annotate(
        shown_location=placement.shown_location(exact_countries),
        is_generalised=ExpressionWrapper(placement.is_generalised(exact_countries), output_field=BooleanField()),
    )


def hazards_collection() -> Collection:
    return Collection(
        id="hazards",
        title=gettext("Hazards"),
        description=gettext(
            "Hazards recorded at mine sites (open shafts, acid drainage...) with their priority and status. "
            "Priority-1 hazards are placed at a point within about 1 km, except for officers of their country."
        ),
        rows=_visible_hazards,
        properties=_hazard_properties,
        geometry_field="shown_location",
        datetime_field="updated_at",
        keywords=["mining", "hazards", "abandoned mines"],
        # A snapped point lies at most half a grid cell's diagonal (707 Web Mercator metres, under
        # 0.0064 degrees) from the centroid, and the centroid within the stored shape's box.
        indexed_geometry=("location", 0.01),
    )


def _measure_properties(measure) -> dict:
    # No names of people: officers who signed off are in the site page, for members of its country.
    return {
        "site_id": measure.site_id,
        "site_name": measure.site.name,
        "country": measure.site.country,
        "measure_type": measure.measure_type,
        "type": str(measure.get_measure_type_display()),
        "stage": measure.stage,
        "stage_label": str(measure.get_stage_display()),
        "progress": measure.stage_progress,
        "treated_area_ha": as_number(measure.treated_area_ha),
        "planned_start": as_date(measure.planned_start),
        "planned_end": as_date(measure.planned_end),
        "actual_start": as_date(measure.actual_start),
        "actual_end": as_date(measure.actual_end),
        "responsible_agency": measure.responsible_agency,
        "funding_source": measure.funding_source,
        "is_signed_off": measure.is_signed_off,
        "updated_at": measure.updated_at.isoformat(),
    }


def _visible_treated_areas(user) -> QuerySet:
    measures = RemediationMeasure.objects.filter(treated_area__isnull=False).select_related("site")
    # The works' dates when there are any, else the plan's: what the measure's time on a map means.
    return visible(measures, user).annotate(
        works_start=Coalesce(F("actual_start"), F("planned_start")),
        works_end=Coalesce(F("actual_end"), F("planned_end")),
    )


def remediation_areas_collection() -> Collection:
    return Collection(
        id="remediation-areas",
        title=gettext("Remediation areas"),
        description=gettext(
            "Areas treated (or to be treated) by remediation measures: type, stage, progress, area "
            "and dates (the works' dates, else the planned ones)."
        ),
        rows=_visible_treated_areas,
        properties=_measure_properties,
        geometry_field="treated_area",
        datetime_field="works_start",
        datetime_end_field="works_end",
        keywords=["mining", "remediation", "rehabilitation"],
    )
