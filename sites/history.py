"""A site's recent history, in words a reader can follow."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from sites.models import MineSite

CHANGE_WORDS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


@dataclass(frozen=True)
class Change:
    when: datetime
    action: str
    fields: list[str]
    by: str  # empty when the reader may not see who made the change


def recent_changes(site: MineSite, *, limit: int = 10, show_users: bool = False) -> list[Change]:
    """The latest changes, newest first, with the fields each one changed."""
    records = list(site.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    changes = []
    for record, previous in zip(records, records[1:] + [None], strict=False):
        if len(changes) == limit:
            break
        fields = []
        if previous is not None and record.history_type == "~":
            fields = [
                str(MineSite._meta.get_field(c.field).verbose_name) for c in record.diff_against(previous).changes
            ]
        user = record.history_user
        by = (user.get_full_name() or user.get_username()) if (show_users and user) else ""
        changes.append(Change(record.history_date, str(CHANGE_WORDS.get(record.history_type, "?")), fields, by))
    return changes
