"""The yearly progress report per country: what a country brings to the ASEAN senior officials' meeting.

Only published records of published sites count: the report is public and must match the site pages.
A measure belongs to the year it started (its actual start, else its planned start); hectares count
in the year the works ended.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext

from access.models import Country
from remediation.models import (
    DONE_STAGES,
    SAFE_HAZARD_STATUSES,
    Hazard,
    HazardPriority,
    MeasureStage,
    RemediationMeasure,
)


@dataclass(frozen=True)
class Row:
    label: str
    value: Decimal | int
    unit: str = ""


@dataclass
class ProgressReport:
    country: str
    year: int
    hazards_made_safe: list[Row] = field(default_factory=list)
    hectares_rehabilitated: Decimal = Decimal(0)
    measures_completed: int = 0
    spend: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)  # currency, budget, actual cost
    measures_by_stage: list[Row] = field(default_factory=list)

    @property
    def country_name(self) -> str:
        return str(dict(Country.choices).get(self.country, gettext("All countries")))

    def csv_rows(self) -> list[list]:
        """Long format, one figure a line, so spreadsheets can pivot it."""
        rows = [["country", "year", "section", "item", "value", "unit"]]
        place = self.country or "all"

        def add(section, item, value, unit=""):
            rows.append([place, self.year, section, str(item), value, unit])  # figures stay numbers

        for row in self.hazards_made_safe:
            add("hazards made safe", row.label, row.value)
        add("hectares rehabilitated", "treated area of measures completed", self.hectares_rehabilitated, "ha")
        add("hectares rehabilitated", "measures completed", self.measures_completed)
        for currency, budget, actual in self.spend:
            add("spend against budget", "budget", budget, currency)
            add("spend against budget", "actual cost", actual, currency)
        for row in self.measures_by_stage:
            add("measures by stage", row.label, row.value)
        return rows


def made_safe(hazards):
    """Hazards made safe, counted in the year of `made_safe_on`."""
    return hazards.filter(status__in=SAFE_HAZARD_STATUSES, made_safe_on__isnull=False)


def completed_works(measures):
    """Measures whose works are done, counted (with their hectares) in the year of `actual_end`."""
    return measures.filter(stage__in=DONE_STAGES, actual_end__isnull=False)


def progress_report(*, country: str, year: int) -> ProgressReport:
    """The figures of one country (or all, when `country` is empty) for one calendar year."""
    hazards = Hazard.objects.published()
    measures = RemediationMeasure.objects.published()
    if country:
        hazards, measures = hazards.filter(site__country=country), measures.filter(site__country=country)
    report = ProgressReport(country=country, year=year)

    safe = dict(
        made_safe(hazards)
        .filter(made_safe_on__year=year)
        .values_list("priority")
        .annotate(count=Count("id"))
        .values_list("priority", "count")
    )
    report.hazards_made_safe = [Row(str(label), safe.get(value, 0)) for value, label in HazardPriority.choices]

    completed = (
        completed_works(measures)
        .filter(actual_end__year=year)
        .aggregate(hectares=Sum("treated_area_ha"), count=Count("id"))
    )
    report.hectares_rehabilitated = completed["hectares"] or Decimal(0)
    report.measures_completed = completed["count"]

    of_year = measures.annotate(start_year=ExtractYear(Coalesce("actual_start", "planned_start"))).filter(
        start_year=year
    )
    spend = (
        of_year.exclude(cost_currency="")
        .values("cost_currency")
        .annotate(budget=Sum("budget_amount"), actual=Sum("actual_cost_amount"))
        .order_by("cost_currency")
    )
    report.spend = [(row["cost_currency"], row["budget"] or Decimal(0), row["actual"] or Decimal(0)) for row in spend]
    stages = dict(of_year.values_list("stage").annotate(count=Count("id")).values_list("stage", "count"))
    report.measures_by_stage = [Row(str(label), stages.get(value, 0)) for value, label in MeasureStage.choices]
    return report


def report_years() -> list[int]:
    """Years with any dated published measure or safe hazard, newest first, for the year picker."""
    years = set(
        RemediationMeasure.objects.published()
        .annotate(year=ExtractYear(Coalesce("actual_start", "planned_start")))
        .exclude(year__isnull=True)
        .values_list("year", flat=True)
    )
    years |= set(
        Hazard.objects.published()
        .filter(~Q(made_safe_on=None))
        .annotate(year=ExtractYear("made_safe_on"))
        .values_list("year", flat=True)
    )
    return sorted(years, reverse=True)
