"""The one rule of who sees and who publishes what, for every kind of record.

Published records are for everyone. A draft is seen by the people who work on that kind of record
in its own country (its recorders and the country's reviewers) and by staff; it is published or
withdrawn by the reviewers of its own country (registry admins hold every role). Every page, API
endpoint, tile, OGC collection and export narrows its records with `visible`; every publish
button goes through `ensure_may_publish`.

A kind of record takes part by mixing in `CountryRecord` (access.models): where its country is,
which role records it, and when it counts as published.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext

from access.models import Country, CountryRecord, Role
from access.roles import countries_with_role, is_staff, working_countries


def draft_countries(user, kind: type[CountryRecord]) -> set[str]:
    """The countries whose drafts of `kind` the user sees: every country for staff, none for the public."""
    if is_staff(user):
        return set(Country.values)
    return working_countries(user, kind.recorder_role)


def visible(records: QuerySet, user) -> QuerySet:
    """`records` narrowed to what `user` may see: the published ones, and the drafts of their own countries."""
    kind = records.model
    if is_staff(user):
        return records
    published = kind.published_condition()
    countries = draft_countries(user, kind)
    if not countries:
        return records.filter(published)
    return records.filter(published | Q(**{f"{kind.country_lookup}__in": sorted(countries)}))


def may_publish(user, country: str) -> bool:
    """Reviewers of a country publish, withdraw and approve what was recorded for it."""
    return country in countries_with_role(user, Role.REVIEWER)


def ensure_may_publish(user, record: Model) -> None:
    country = record.record_country()
    if not may_publish(user, country):
        if country in Country.values:
            message = gettext("Only reviewers of %(country)s may publish, withdraw or approve this.") % {
                "country": Country(country).label
            }
        else:
            message = gettext("Only reviewers of its country may publish, withdraw or approve this.")
        raise PermissionDenied(message)
