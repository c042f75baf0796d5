"""The sites list at any size: pages read from the nearer end of the order, counts from the cluster table.

At a million sites, `OFFSET` reads every row it skips and `count(*)` reads them all: the last page
took 3 s and every page paid 0.2 s for its count. Rows come in (name, id) order along an index, so
a page in the second half is read backwards from the end; a count without a text search is the sum
of the trigger-kept zoom-0 cluster rows that the map already uses (plus, for an uploader or reviewer,
the drafts of their countries).
"""

from django.core.paginator import Page, Paginator

from access.visibility import draft_countries
from sites import queries, tiles
from sites.models import MineSite

SITES_PER_PAGE = 50


class NearerEndPaginator(Paginator):
    """A paginator over a totally ordered queryset that reads each page from the end it is nearer to."""

    def __init__(self, object_list, per_page, *, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # known already: Paginator.count is a cached property

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:  # as Paginator.page: a last page takes the orphans
            top = self.count
        if bottom <= self.count - top:
            return self._get_page(self.object_list[bottom:top], number, self)
        from_the_end = list(self.object_list.reverse()[self.count - top : self.count - bottom])
        return self._get_page(from_the_end[::-1], number, self)


def site_list_page(user, filters: dict, page_number) -> Page:
    """A page of the sites `user` may see that match `filters` (SiteFilterForm's), in name order."""
    sites = queries.filtered_sites(queries.visible_sites(user), **filters).order_by("name", "id")
    return NearerEndPaginator(sites, SITES_PER_PAGE, count=_count_from_clusters(user, filters)).get_page(page_number)


def _count_from_clusters(user, filters: dict) -> int | None:
    """The number of matching sites without counting every one, when the cluster table can say (None otherwise).

    The published ones come from the cluster table; for staff so do the drafts. Someone who sees the
    drafts of some countries adds those drafts, counted along their own small index. A text search
    is counted row by row.
    """
    if filters.get("q"):
        return None
    every_draft = queries.may_see_every_draft(user)
    own_countries = set() if every_draft else draft_countries(user, MineSite)
    map_filters = {name: filters.get(name, "") for name in ("country", "status", "commodity")}
    total = tiles.site_count(include_drafts=every_draft, **map_filters)
    if own_countries:
        drafts = MineSite.objects.filter(is_published=False, country__in=own_countries)
        total += queries.filtered_sites(drafts, **map_filters).count()
    return total
