"""Who may do what, per country: one place, called by views, API, admin and tiles."""

from sites.models import Country, Membership, Role


def countries_with_role(user, role: str) -> set[str]:
    """The countries where `user` holds `role`; registry admins hold every role everywhere."""
    if not (user and user.is_authenticated and user.is_active):
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
    return country in countries_with_role(user, Role.SURVEY_UPLOADER)


def is_reviewer(user) -> bool:
    return bool(countries_with_role(user, Role.REVIEWER))


def may_record_remediation(user, country: str) -> bool:
    """Environmental officers record hazards, measures, visits and evidence for their own country."""
    return country in countries_with_role(user, Role.ENVIRONMENTAL_OFFICER)


def may_publish_records(user, country: str) -> bool:
    """Reviewers of a country publish, unpublish and approve what its officers recorded."""
    return country in countries_with_role(user, Role.REVIEWER)


def countries_seeing_drafts(user) -> set[str]:
    """Where `user` sees unpublished remediation records: the countries they record or review for."""
    return countries_with_role(user, Role.ENVIRONMENTAL_OFFICER) | countries_with_role(user, Role.REVIEWER)


def countries_seeing_exact_hazards(user) -> set[str]:
    """Where `user` sees priority-1 hazards at their exact place: their officer or reviewer countries; staff everywhere.

    Everyone else sees an open shaft only to about a kilometre, so it cannot be found from the map.
    """
    if user and user.is_authenticated and user.is_active and user.is_staff:
        return set(Country.values)
    return countries_seeing_drafts(user)
