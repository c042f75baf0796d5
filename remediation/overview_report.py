"""The registry at a glance: sites by country, status and commodity; hazard costs by funding; the trend.

Published records of published sites only: the page is public and must match the site pages. Costs
are summed per currency and never converted. Hazards are grouped the way e-AMLIS reports problem
costs: unfunded (nothing committed yet), funded (money committed or works under way) and completed
(made safe, or made safe and under monitoring).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from access.models import Country
from remediation.models import Hazard, HazardStatus, RemediationMeasure
from remediation.reports import completed_works, made_safe
from sites.counts import ALL_COMMODITIES, published_site_counts
from sites.models import Commodity, SiteStatus

FUNDING_GROUPS = {
    "unfunded": (_("Unfunded"), (HazardStatus.UNADDRESSED,)),
    "funded": (_("Funded"), (HazardStatus.FUNDED, HazardStatus.IN_PROGRESS)),
    "completed": (_("Completed"), (HazardStatus.MADE_SAFE, HazardStatus.MONITORING)),
}
# The trend covers at most this many years back from the latest year with records.
TREND_YEARS = 25


@dataclass(frozen=True)
class MatrixRow:
    code: str
    label: str
    values: list[int]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass
class Matrix:
    """Counts with labelled rows and columns, and the totals a reader expects under and beside them."""

    columns: list[tuple[str, str]]  # (code, label)
    rows: list[MatrixRow] = field(default_factory=list)

    @property
    def column_totals(self) -> list[int]:
        return [sum(row.values[i] for row in self.rows) for i in range(len(self.columns))]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


@dataclass(frozen=True)
class CostRow:
    group: str
    label: str
    hazards: int
    unestimated: int  # hazards of the group without a cost estimate
    amounts: dict[str, Decimal]  # currency -> estimated cost


@dataclass(frozen=True)
class YearRow:
    year: int
    hazards_made_safe: int
    measures_completed: int
    hectares_rehabilitated: Decimal


@dataclass
class Overview:
    country: str
    sites_by_country: Matrix
    sites_by_commodity: Matrix
    site_cube: list[tuple[str, str, str, int]]  # (country, status, commodity, sites), for the CSV
    costs: list[CostRow]
    currencies: list[str]
    trend: list[YearRow]

    def csv_tables(self) -> dict[str, list[list]]:
        """One long-format table per section, codes rather than labels so spreadsheets can pivot them."""
        sites = [["country", "status", "commodity", "sites"]]
        sites += [[country, status, commodity or "all", n] for country, status, commodity, n in self.site_cube]
        costs = [["funding", "hazards", "hazards_without_estimate", "currency", "estimated_cost"]]
        for row in self.costs:
            costs += [
                [row.group, row.hazards, row.unestimated, currency, amount] for currency, amount in row.amounts.items()
            ]
            if not row.amounts:
                costs.append([row.group, row.hazards, row.unestimated, "", 0])
        trend = [["year", "hazards_made_safe", "measures_completed", "hectares_rehabilitated"]]
        trend += [[r.year, r.hazards_made_safe, r.measures_completed, r.hectares_rehabilitated] for r in self.trend]
        return {"sites": sites, "costs": costs, "trend": trend}


def overview(*, country: str = "") -> Overview:
    """The three sections for one country, or for every country when `country` is empty."""
    cube = published_site_counts(country=country)
    hazards = Hazard.objects.published()
    measures = RemediationMeasure.objects.published()
    if country:
        hazards, measures = hazards.filter(site__country=country), measures.filter(site__country=country)
    costs, currencies = _hazard_costs(hazards)
    return Overview(
        country=country,
        sites_by_country=_matrix(cube, Country.choices, lambda row: row[2] == ALL_COMMODITIES, key=0),
        sites_by_commodity=_matrix(cube, Commodity.choices, lambda row: row[2] != ALL_COMMODITIES, key=2),
        site_cube=cube,
        costs=costs,
        currencies=currencies,
        trend=_trend(hazards, measures),
    )


def _matrix(cube, row_choices, keep, *, key: int) -> Matrix:
    """Rows from `row_choices` that have sites, one column per site status."""
    counts = defaultdict(int)
    for row in filter(keep, cube):
        counts[row[key], row[1]] += row[3]
    matrix = Matrix(columns=list(SiteStatus.choices))
    for code, label in row_choices:
        values = [counts[code, status] for status, _label in matrix.columns]
        if any(values):
            matrix.rows.append(MatrixRow(code, str(label), values))
    return matrix


def _hazard_costs(hazards) -> tuple[list[CostRow], list[str]]:
    per_status = dict(hazards.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    unestimated = dict(
        hazards.filter(estimated_cost_amount__isnull=True)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    amounts = (
        hazards.filter(estimated_cost_amount__isnull=False)
        .values_list("status", "estimated_cost_currency")
        .annotate(total=Sum("estimated_cost_amount"))
    )
    by_status = defaultdict(dict)
    for status, currency, total in amounts:
        by_status[status][currency] = total
    rows = []
    for group, (label, statuses) in FUNDING_GROUPS.items():
        group_amounts = defaultdict(Decimal)
        for status in statuses:
            for currency, total in by_status[status].items():
                group_amounts[currency] += total
        rows.append(
            CostRow(
                group=group,
                label=str(label),
                hazards=sum(per_status.get(status, 0) for status in statuses),
                unestimated=sum(unestimated.get(status, 0) for status in statuses),
                amounts=dict(sorted(group_amounts.items())),
            )
        )
    currencies = sorted({currency for row in rows for currency in row.amounts})
    return rows, currencies


def _trend(hazards, measures) -> list[YearRow]:
    """Every year from the first with a result to the last, gaps included, so a chart shows quiet years."""
    safe = dict(
        made_safe(hazards)
        .annotate(year=ExtractYear("made_safe_on"))
        .values_list("year")
        .annotate(n=Count("id"))
        .values_list("year", "n")
    )
    completed = {
        year: (n, hectares)
        for year, n, hectares in completed_works(measures)
        .annotate(year=ExtractYear("actual_end"))
        .values_list("year")
        .annotate(n=Count("id"), hectares=Sum("treated_area_ha"))
        .values_list("year", "n", "hectares")
    }
    years = set(safe) | set(completed)
    if not years:
        return []
    last = max(years)
    first = max(min(years), last - TREND_YEARS + 1)
    return [
        YearRow(
            year=year,
            hazards_made_safe=safe.get(year, 0),
            measures_completed=completed.get(year, (0, None))[0],
            hectares_rehabilitated=completed.get(year, (0, None))[1] or Decimal(0),
        )
        for year in range(first, last + 1)
    ]
