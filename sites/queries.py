"""Read paths for sites, shared by pages, the API and exports: what a user may see, and filtering."""

from django.db.models import Q, QuerySet

from sites.models import MineSite, Role, alternative_names_text
from sites.permissions import countries_with_role


def may_see_drafts(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.has_perm("sites.view_minesite")))


def draft_countries(user) -> set[str] | None:
    """The countries whose draft sites `user` sees: None for every country (staff), empty for the public."""
    if may_see_drafts(user):
        return None
    return countries_with_role(user, Role.SURVEY_UPLOADER) | countries_with_role(user, Role.REVIEWER)


def visible_sites(user) -> QuerySet[MineSite]:
    """Published sites for the public; every site for staff; drafts of their country to uploaders and reviewers."""
    sites = MineSite.objects.select_related("data_source")
    own_countries = draft_countries(user)
    if own_countries is None:
        return sites
    return sites.filter(Q(is_published=True) | Q(country__in=own_countries)) if own_countries else sites.published()


def filtered_sites(sites: QuerySet[MineSite], *, country="", status="", commodity="", q="") -> QuerySet[MineSite]:
    """Apply the map and list filters (already validated by SiteFilterForm)."""
    if country:
        sites = sites.in_country(country)
    if status:
        sites = sites.with_status(status)
    if commodity:
        sites = sites.with_commodity(commodity)
    if q:
        # Each test matches an index of MineSite.Meta (upper-cased text, trigram GIN), so no scan of every site.
        sites = sites.annotate(alternative_names_text=alternative_names_text()).filter(
            Q(name__icontains=q)
            | Q(alternative_names_text__icontains=q)
            | Q(operator__icontains=q)
            | Q(source_record_id__iexact=q)
        )
    return sites
