"""The review queue: the drafts of every kind that wait for a reviewer, per country, oldest first.

The queue lives in the top app because it lists every kind of record; each kind keeps its own rule
of when it is public (access.visibility) and its own page, which the queue links to.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from access.models import Country, CountryRecord, Role
from access.roles import countries_with_role, is_staff
from geodata.models import Layer, LayerStatus
from remediation.models import Evidence, Hazard, MonitoringVisit, RemediationMeasure
from sites.models import MineSite, ResourceEstimate

# Drafts per page of the queue: sites may be thousands after an import, so a page reads only its rows.
QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class ReviewKind:
    """One kind of record in the queue: its name in URLs, its model, its label and where its page is."""

    name: str
    model: type[CountryRecord]
    label: str
    page_url: Callable[[CountryRecord], str]
    related: tuple[str, ...] = ("created_by",)
    # What a draft needs before a reviewer can act on it (a layer must have imported).
    ready: Q = Q()

    def drafts(self, countries: list[str]) -> QuerySet:
        """The unpublished records of `countries`, oldest first, with who recorded them."""
        lookup = f"{self.model.country_lookup}__in"
        return (
            self.model.objects.filter(self.ready, is_published=False, **{lookup: countries})
            .select_related(*self.related)
            .order_by("created_at", "id")
        )


def _on_site_page(anchor: str) -> Callable[[CountryRecord], str]:
    return lambda record: f"{record.site.get_absolute_url()}#{anchor}"


REVIEW_KINDS = {
    kind.name: kind
    for kind in (
        ReviewKind("sites", MineSite, _("Mine sites"), MineSite.get_absolute_url),
        ReviewKind(
            "layers",
            Layer,
            _("Survey layers"),
            lambda layer: reverse("geodata:detail", args=[layer.pk]),
            ready=Q(status=LayerStatus.READY),
        ),
        # Estimates keep no author: the queue shows when, not who.
        ReviewKind("estimates", ResourceEstimate, _("Resource estimates"), _on_site_page("estimates"), ("site",)),
        ReviewKind("hazards", Hazard, _("Hazards"), _on_site_page("hazards"), ("created_by", "site")),
        ReviewKind("measures", RemediationMeasure, _("Measures"), _on_site_page("measures"), ("created_by", "site")),
        ReviewKind("visits", MonitoringVisit, _("Monitoring visits"), _on_site_page("visits"), ("created_by", "site")),
        ReviewKind("evidence", Evidence, _("Evidence"), _on_site_page("evidence"), ("created_by", "site")),
    )
}


def may_review(user) -> bool:
    """Reviewers of any country and staff open the queue (staff read it; only reviewers publish)."""
    return is_staff(user) or reviews_any_country(user)


def reviews_any_country(user) -> bool:
    return bool(countries_with_role(user, Role.REVIEWER))


def review_countries(user) -> list[str]:
    """The countries whose drafts the user reviews: every country for staff."""
    if is_staff(user):
        return list(Country.values)
    return sorted(countries_with_role(user, Role.REVIEWER))


@dataclass
class KindCount:
    kind: ReviewKind
    count: int


def draft_counts(countries: list[str]) -> list[KindCount]:
    """How many drafts of each kind wait in `countries` (one count query per kind, on indexed columns)."""
    return [KindCount(kind, kind.drafts(countries).count()) for kind in REVIEW_KINDS.values()]


def drafts_waiting(user) -> list[KindCount]:
    """The dashboard's summary: drafts per kind in the countries the user reviews."""
    countries = review_countries(user)
    return draft_counts(countries) if countries else []


def draft_page(kind: ReviewKind, countries: list[str], page_number) -> Page:
    """One page of the kind's drafts (limit/offset): never every draft at once."""
    return Paginator(kind.drafts(countries), QUEUE_PAGE_SIZE).get_page(page_number)


def records_from_keys(keys: list[str]) -> list[CountryRecord]:
    """The records named by "kind:id" keys (the queue's checkboxes); unknown kinds or ids raise KeyError."""
    records = []
    wanted: dict[str, set[int]] = {}
    for key in keys:
        name, _sep, number = key.partition(":")
        if name not in REVIEW_KINDS or not number.isdigit():
            raise KeyError(key)
        wanted.setdefault(name, set()).add(int(number))
    for name, ids in wanted.items():
        found = list(REVIEW_KINDS[name].model.objects.filter(pk__in=ids))
        if len(found) != len(ids):
            raise KeyError(name)
        records += found
    return records
