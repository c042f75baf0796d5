"""Who may do what, per country: one place, called by views, API, admin and tiles."""

from sites.models import Country, Membership, Role


def countries_with_role(user, role: str) -> set[str]:
    """The countries where `user` holds `role`; registry admins hold every role everywhere."""
    if not (user and user.is_authenticated and user.is_active):
        return set()
    if user.is_superuser:
        return set(Country.values)
    return set(Membership.objects.filter(user=user, role=role).values_list("country", flat=True))


def may_upload_survey(user, country: str) -> bool:
    return country in countries_with_role(user, Role.SURVEY_UPLOADER)


def is_reviewer(user) -> bool:
    return bool(countries_with_role(user, Role.REVIEWER))
