"""Read paths for sites, shared by pages, the API and exports: what a user may see, and filtering."""

from django.db.models import Q, QuerySet

from access.roles import is_staff
from access.visibility import visible
from sites.local_names import local_names_text
from sites.models import MineSite, alternative_names_text
from sites.tenure import licence_expired_condition


def visible_sites(user) -> QuerySet[MineSite]:
    """The sites `user` may see (access.visibility), with their sources."""
    return visible(MineSite.objects.select_related("data_source"), user)


def may_see_every_draft(user) -> bool:
    """Staff see every draft site, which the map's cluster counts answer without a country filter."""
    return is_staff(user)


def filtered_sites(
    sites: QuerySet[MineSite],
    *,
    country="",
    status="",
    commodity="",
    flag="",
    q="",
    responsible_party_kind="",
    licence_type="",
    licence_expired=False,
) -> QuerySet[MineSite]:
    """Apply the map and list filters (already validated by SiteFilterForm)."""
    if responsible_party_kind:
        sites = sites.filter(responsible_party_kind=responsible_party_kind)
    if licence_type:
        sites = sites.filter(licence_type=licence_type)
    if licence_expired:
        sites = sites.filter(licence_expired_condition())
    if country:
        sites = sites.in_country(country)
    if status:
        sites = sites.with_status(status)
    if commodity:
        sites = sites.with_commodity(commodity)
    if flag:
        sites = sites.with_quality_flag(flag)
    if q:
        # Each test matches an index of MineSite.Meta (upper-cased text, trigram GIN), so no scan of every site.
        sites = sites.annotate(
            alternative_names_text=alternative_names_text(), local_names_text=local_names_text()
        ).filter(
            Q(name__icontains=q)
            | Q(alternative_names_text__icontains=q)
            | Q(local_names_text__icontains=q)
            | Q(operator__icontains=q)
            | Q(source_record_id__iexact=q)
        )
    return sites
