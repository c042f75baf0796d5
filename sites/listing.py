"""The sites list at any size: keyset pages along the (name, id) order, letter jumps, counts from the cluster table.

At a million sites, `OFFSET` reads every row it skips, so a numbered page in the middle took over half a
second however it was read. A page here is instead placed by a site's place in the order: the sites after
the last one of the page before, the sites before the first one of the page after, the names from a letter
on, or the last sites of all. Each is one walk of at most a page along the (name, id) index, wherever it
lies. A count without a text search is the sum of the trigger-kept zoom-0 cluster rows that the map
already uses (plus, for an uploader or reviewer, the drafts of their countries).
"""

import string
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import F, Field, Func, QuerySet, Value
from django.db.models.lookups import GreaterThan, LessThan
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from access.visibility import draft_countries
from sites import queries, tiles
from sites.models import MineSite
from sites.tenure import TENURE_FILTERS

SITES_PER_PAGE = 50
# A search is counted row by row up to here: a word most names hold would otherwise count a million rows.
SEARCH_COUNT_LIMIT = 10_000
# The letters the list offers to jump to; names starting otherwise come before A or after Z and are reached by paging.
LETTERS = tuple(string.ascii_uppercase)

# A site's place in the list's order: its name, then its id for sites of the same name.
SiteKey = tuple[str, int]


class ListPositionError(ValidationError):
    """A page link of the sites list that cannot be followed (edited by hand or cut short); shown to the reader."""


@dataclass(frozen=True)
class Position:
    """Where a page of the list lies: the first page, names from `start` on, after or before a site, or the last page.

    `after` and `before` are the keys of the sites at the edges of the neighbouring page, so a page read
    from them follows its neighbour exactly even while sites are added or removed elsewhere in the order.
    """

    start: str = ""
    after: SiteKey | None = None
    before: SiteKey | None = None
    is_last: bool = False


@dataclass
class SitePage:
    """One page of the list: its sites in order, how many match in all, and whether sites come before or after."""

    sites: list[MineSite]
    count: int
    position: Position
    has_previous: bool
    has_next: bool
    is_count_exact: bool = True  # False when a search matches more than the `count` of sites it stopped at

    @property
    def is_part_of_more(self) -> bool:
        """Whether other sites match too, before or after this page: then the page shows its navigation."""
        return self.count > len(self.sites)

    @property
    def first_name(self) -> str:
        return self.sites[0].name if self.sites else ""

    @property
    def last_name(self) -> str:
        return self.sites[-1].name if self.sites else ""


@dataclass
class PageLinks:
    """The links of a page's navigation, each keeping the filters and search; None where there is nowhere to go."""

    first: str | None
    previous: str | None
    next: str | None
    last: str | None
    letters: list[tuple[str, str, bool]] = field(default_factory=list)  # (letter, link, is the current jump)


def position_from(params) -> Position:
    """The page a request asks for: ?from=K, ?after=NAME&after_id=ID, ?before=…&before_id=…, ?last=1, or the first.

    Raises ListPositionError for a link that was damaged: the list cannot tell where it pointed.
    """
    if "after" in params or "after_id" in params:
        return Position(after=_site_key(params, "after"))
    if "before" in params or "before_id" in params:
        return Position(before=_site_key(params, "before"))
    if params.get("last"):
        return Position(is_last=True)
    start = params.get("from", "")
    _check_name(start)
    return Position(start=start)


def _site_key(params, edge: str) -> SiteKey:
    name, site_id = params.get(edge, ""), params.get(f"{edge}_id", "")
    # ASCII digits only (str.isdigit also takes "²"), and few enough for a bigint.
    if edge not in params or not (site_id.isascii() and site_id.isdigit()) or len(site_id) > 18:
        raise ListPositionError(_("This page link is incomplete. Start again from the first page."))
    _check_name(name)
    return name, int(site_id)


def _check_name(name: str) -> None:
    if len(name) > MineSite._meta.get_field("name").max_length or "\x00" in name:
        raise ListPositionError(_("This page link does not hold a site name. Start again from the first page."))


def site_list_page(user, filters: dict, position: Position, per_page: int | None = None) -> SitePage:
    """The page at `position` of the sites `user` may see that match `filters` (SiteFilterForm's), in name order."""
    per_page = per_page or SITES_PER_PAGE
    sites = queries.filtered_sites(queries.visible_sites(user), **filters)
    count = _count_from_clusters(user, filters)
    if count == 0:  # nothing to read: a walk along the index for a page that cannot fill would read it all
        return SitePage(sites=[], count=0, position=position, has_previous=False, has_next=False)
    rows, has_previous, has_next = _read_page(sites, position, per_page)
    page = SitePage(sites=rows, count=count or 0, position=position, has_previous=has_previous, has_next=has_next)
    if count is None:  # a search, counted row by row unless its page holds every match
        is_every_match = not (has_previous or has_next) and (rows or position in (Position(), Position(is_last=True)))
        # Unordered: along the name order, a search matching names of one stretch would read up to it first.
        page.count = len(rows) if is_every_match else sites.order_by()[: SEARCH_COUNT_LIMIT + 1].count()
        if page.count > SEARCH_COUNT_LIMIT:
            page.count, page.is_count_exact = SEARCH_COUNT_LIMIT, False
    return page


def _read_page(sites: QuerySet[MineSite], position: Position, per_page: int) -> tuple[list[MineSite], bool, bool]:
    """The page's sites, whether any come before them and whether any come after, each read along the index."""
    forwards = sites.order_by("name", "id")
    backwards = sites.order_by("-name", "-id")
    if position.before or position.is_last:
        if position.before:
            backwards = backwards.filter(LessThan(_order_key(), _key_value(position.before)))
        rows = list(backwards[: per_page + 1])
        has_previous = len(rows) > per_page
        rows = rows[:per_page][::-1]
        has_next = bool(rows) and _any(forwards.filter(GreaterThan(_order_key(), _key_value(_key(rows[-1])))))
        return rows, has_previous, has_next
    if position.after:
        forwards = forwards.filter(GreaterThan(_order_key(), _key_value(position.after)))
    elif position.start:
        forwards = forwards.filter(name__gte=position.start)
    rows = list(forwards[: per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    is_first = not (position.after or position.start)
    has_previous = (
        not is_first and bool(rows) and _any(backwards.filter(LessThan(_order_key(), _key_value(_key(rows[0])))))
    )
    return rows, has_previous, has_next


def _order_key() -> Func:
    """The list's order as one row value, ROW(name, id): PostgreSQL compares it along the (name, id) index."""
    return Func(F("name"), F("id"), function="ROW", output_field=Field())


def _key_value(key: SiteKey) -> Func:
    name, site_id = key
    return Func(Value(name), Value(site_id), function="ROW", output_field=Field())


def _key(site: MineSite) -> SiteKey:
    return site.name, site.pk


def _any(ordered_sites: QuerySet[MineSite]) -> bool:
    """Whether there is a site, looked for in the queryset's order (from the page's edge, along the index)."""
    return bool(ordered_sites.values_list("id", flat=True)[:1])


def first_page_link(filters: dict) -> str:
    """The link to the first page with the same filters and search."""
    return _link(filters)


def _link(filters: dict, **position) -> str:
    return "?" + urlencode({**{name: value for name, value in filters.items() if value}, **position})


def page_links(page: SitePage, filters: dict) -> PageLinks:
    """Links to the first, previous, next and last pages and to each letter, keeping the filters and search."""

    def link(**position) -> str:
        return _link(filters, **position)

    is_lost = not page.sites and page.count > 0  # a letter past the last name, or a link to sites since removed
    first = link() if page.has_previous or is_lost else None
    last = link(last=1) if page.has_next or is_lost else None
    previous = next_page = None
    if page.has_previous:
        name, site_id = _key(page.sites[0])
        previous = link(before=name, before_id=site_id)
    if page.has_next:
        name, site_id = _key(page.sites[-1])
        next_page = link(after=name, after_id=site_id)
    letters = [(letter, link(**{"from": letter}), page.position.start == letter) for letter in LETTERS]
    return PageLinks(first=first, previous=previous, next=next_page, last=last, letters=letters)


def _count_from_clusters(user, filters: dict) -> int | None:
    """The number of matching sites without counting every one, when the cluster table can say (None otherwise).

    The published ones come from the cluster table; for staff so do the drafts. Someone who sees the
    drafts of some countries adds those drafts, each country's the difference of its two cluster counts
    (counted one by one, a million sites' drafts took over 100 ms). A text search or a flag is counted row by row.
    """
    # The cluster table counts neither by search, nor by flag, nor by tenure.
    if filters.get("q") or filters.get("flag") or any(filters.get(name) for name in TENURE_FILTERS):
        return None
    every_draft = queries.may_see_every_draft(user)
    own_countries = set() if every_draft else draft_countries(user, MineSite)
    map_filters = {name: filters.get(name, "") for name in ("country", "status", "commodity")}
    total = tiles.site_count(include_drafts=every_draft, **map_filters)
    if map_filters["country"]:
        own_countries &= {map_filters["country"]}
    for country in sorted(own_countries):
        country_filters = {**map_filters, "country": country}
        total += tiles.site_count(include_drafts=True, **country_filters) - tiles.site_count(**country_filters)
    return total
