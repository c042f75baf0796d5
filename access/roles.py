"""Who holds which role where: a user's memberships, read once per request."""

from access.models import Country, Membership, Role


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_staff(user) -> bool:
    return is_signed_in(user) and user.is_staff


def countries_with_role(user, role: str) -> set[str]:
    """The countries where `user` holds `role`; registry admins hold every role everywhere."""
    if not is_signed_in(user):
        return set()
    if user.is_superuser:
        return set(Country.values)
    return set(_roles(user).get(role, ()))


def _roles(user) -> dict[str, set[str]]:
    """The user's countries per role, read in one query and kept on the user object.

    A request's user object lives for that request (as Django keeps its permission cache), so a map
    page's tile, which asks up to six of these questions, reads the memberships once.
    """
    roles = getattr(user, "_registry_roles", None)
    if roles is None:
        roles = {}
        for role, country in Membership.objects.filter(user=user).values_list("role", "country"):
            roles.setdefault(role, set()).add(country)
        user._registry_roles = roles
    return roles


def may_upload_survey(user, country: str) -> bool:
    """Survey uploaders of a country record its survey layers, sites and resource estimates."""
    return country in countries_with_role(user, Role.SURVEY_UPLOADER)


def may_record_remediation(user, country: str) -> bool:
    """Environmental officers record hazards, measures, visits and evidence for their own country."""
    return country in countries_with_role(user, Role.ENVIRONMENTAL_OFFICER)


def working_countries(user, recorder_role: str) -> set[str]:
    """Where `user` records (`recorder_role`) or reviews: the countries whose drafts of that kind are theirs."""
    return countries_with_role(user, recorder_role) | countries_with_role(user, Role.REVIEWER)
