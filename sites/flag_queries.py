"""Read paths of the data-quality page: per check, a country's flagged sites that the reader may see."""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from sites.models import MineSite, QualityFlag
from sites.quality import probable_duplicate_ids
from sites.queries import visible_sites

SITES_PER_SECTION = 20
# The checks whose flagged sites are offered for merging with the sites they pair with.
DUPLICATE_FLAGS = (
    QualityFlag.DUPLICATE_SOURCE_ID,
    QualityFlag.DUPLICATE_COORDINATES,
    QualityFlag.DUPLICATE_NAME_NEARBY,
)


@dataclass
class FlagSection:
    """One check on the page: how many sites of the country it flags, and one page of them."""

    flag: str
    label: str
    page: Page
    list_url: str  # the same sites in the sites list, which pages through any number of them
    previous_url: str = ""
    next_url: str = ""
    partners: dict[int, list[MineSite]] = field(default_factory=dict)  # per listed site, its probable duplicates

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def rows(self) -> list[tuple[MineSite, list[MineSite]]]:
        return [(site, self.partners.get(site.pk, [])) for site in self.page.object_list]

    @property
    def is_duplicate_check(self) -> bool:
        return self.flag in DUPLICATE_FLAGS


def page_parameter(flag: str) -> str:
    return f"page_{flag}"


def flagged_sites(user, country: str, flag: str) -> QuerySet[MineSite]:
    """The sites of `country` carrying `flag` that `user` may see, in the sites list's order."""
    return visible_sites(user).in_country(country).filter(quality_flags__contains=[flag]).order_by("name", "id")


def duplicate_partners(user, site: MineSite) -> list[MineSite]:
    """The sites the duplicate checks pair with `site` that `user` may see."""
    return list(visible_sites(user).filter(pk__in=probable_duplicate_ids(site.pk)).order_by("name", "id"))


def quality_sections(user, country: str, params) -> list[FlagSection]:
    """Every check's section for `country`; `params` (the query string) says which page of each to show."""
    sections = []
    for flag, label in QualityFlag.choices:
        parameter = page_parameter(flag)
        page = Paginator(flagged_sites(user, country, flag), SITES_PER_SECTION).get_page(params.get(parameter))
        page.object_list = list(page.object_list)  # read once, for the rows and their partners
        section = FlagSection(
            flag=flag,
            label=str(label),
            page=page,
            list_url=reverse("sites:list") + "?" + urlencode({"country": country, "flag": flag}),
        )
        if page.has_previous():
            section.previous_url = _link(params, parameter, page.previous_page_number())
        if page.has_next():
            section.next_url = _link(params, parameter, page.next_page_number())
        if section.is_duplicate_check:
            section.partners = {site.pk: duplicate_partners(user, site) for site in page.object_list}
        sections.append(section)
    return sections


def _link(params, parameter: str, number: int) -> str:
    query = params.copy()
    query[parameter] = number
    return "?" + query.urlencode()
