"""Who looks after the quality of a country's site records: who sees its flags, who dismisses them and merges sites."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from access.models import Country, Role
from access.roles import countries_with_role, is_staff
from access.visibility import may_publish


def quality_countries(user) -> list[str]:
    """The countries whose data-quality page `user` may open: where they hold any role; every one for staff."""
    if is_staff(user):
        return list(Country.values)
    roles = set().union(*(countries_with_role(user, role) for role in Role.values))
    return [country for country in Country.values if country in roles]


def may_resolve_flags(user, country: str) -> bool:
    """Reviewers of the country (and staff) dismiss its flags and merge its duplicate sites."""
    return is_staff(user) or may_publish(user, country)


def ensure_may_resolve_flags(user, country: str) -> None:
    if not may_resolve_flags(user, country):
        name = Country(country).label if country in Country.values else country
        raise PermissionDenied(
            _("Only reviewers of %(country)s may dismiss its quality flags or merge its sites.") % {"country": name}
        )
