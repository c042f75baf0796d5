"""A site's recent history and its past state, in words a reader can follow."""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access import proposals
from access.changes import FieldChange, field_changes, field_values
from access.models import Role
from access.roles import countries_with_role, is_staff
from access.visibility import draft_countries, visible
from sites.models import MineSite, ResourceEstimate

CHANGE_WORDS = {"+": gettext_lazy("Created"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Deleted")}
# Kept by the registry, not typed by anyone: never listed as a change.
UNSHOWN_FIELDS = {"id", "created_at", "created_by", "source_record_key"}


@dataclass(frozen=True)
class Change:
    when: datetime.datetime
    action: str
    fields: list[str]
    by: str  # empty when the reader may not see who made the change
    values: list[FieldChange] = field(default_factory=list)  # empty when the reader may not see values


def may_see_change_details(user, site: MineSite) -> bool:
    """Who changed a site, and from what to what: its country's reviewers and officers, and staff."""
    if is_staff(user):
        return True
    countries = countries_with_role(user, Role.REVIEWER) | countries_with_role(user, Role.ENVIRONMENTAL_OFFICER)
    return site.country in countries


def recent_changes(site: MineSite, *, limit: int = 10, show_details: bool = False) -> list[Change]:
    """The latest changes, newest first: the fields each changed, and for `show_details` old -> new and who."""
    records = list(site.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    accepted = proposals.accepted_changes_in(record.history_change_reason for record in records) if show_details else {}
    names = [name for name in proposals.editable_names(MineSite) if name not in UNSHOWN_FIELDS]
    names.append("is_published")
    changes = []
    for record, previous in zip(records, records[1:] + [None], strict=False):
        if len(changes) == limit:
            break
        values = []
        action = str(CHANGE_WORDS.get(record.history_type, "?"))
        if previous is not None and record.history_type == "~":
            values = field_changes(MineSite, field_values(previous, names), field_values(record, names))
            if [value.name for value in values] == ["is_published"]:
                action = _("Published") if record.is_published else _("Withdrawn")
            values = [value for value in values if value.name != "is_published"]
        fields = [str(MineSite._meta.get_field(value.name).verbose_name) for value in values]
        by = _who(record, accepted.get(record.history_change_reason)) if show_details else ""
        changes.append(Change(record.history_date, action, fields, by, values if show_details else []))
    return changes


def _who(record, accepted_change) -> str:
    user = record.history_user
    if accepted_change is not None:
        return _("%(author)s, accepted by %(reviewer)s") % {
            "author": proposals.person_name(accepted_change.author),
            "reviewer": proposals.person_name(user),
        }
    return proposals.person_name(user)


@dataclass(frozen=True)
class SiteAsOf:
    """The site and its estimates as they stood at a past moment, from their history."""

    site: MineSite | None  # None when the site was not yet recorded (or not yet public) then
    estimates: list[ResourceEstimate]


def site_as_of(site: MineSite, user, when: datetime.datetime) -> SiteAsOf:
    """The public sees the last published state of each; members of the country (and staff) see every state."""
    public = site.country not in draft_countries(user, MineSite)
    site_history = site.history.filter(history_date__lte=when).exclude(history_type="-")
    if public:
        site_history = site_history.filter(is_published=True)
    site_then = site_history.order_by("-history_date", "-history_id").first()
    estimates = _estimates_at(site, when, public=public, still_visible=visible(site.resource_estimates.all(), user))
    return SiteAsOf(site_then.instance if site_then is not None else None, estimates)


def _estimates_at(site: MineSite, when: datetime.datetime, *, public: bool, still_visible: QuerySet) -> list:
    latest = (
        ResourceEstimate.history.filter(site_id=site.pk, history_date__lte=when)
        .order_by("id", "-history_date", "-history_id")
        .distinct("id")
    )
    estimates = [record.instance for record in latest if record.history_type != "-"]
    if public:
        # A record withdrawn since then stays hidden, as in remediation's past view.
        shown = set(still_visible.values_list("id", flat=True))
        estimates = [estimate for estimate in estimates if estimate.is_published and estimate.pk in shown]
    return sorted(estimates, key=lambda estimate: (estimate.commodity, -estimate.effective_date.toordinal()))
