"""Merge two records of one site: a reviewer picks the record that stays, the other's records move to it.

Whatever points to a site moves, found through `MineSite._meta.related_objects` so that a model added
later moves too (hazards, measures, visits, evidence, resource estimates today); moved rows that keep a
history get a history row saying so. The survivor's empty fields are filled from the other record, the
other's names become alternative names, and the other record is deleted: simple-history keeps the history
rows of a deleted record, so the history of both stays queryable (`MineSite.history.filter(id=...)`), and
each record's last row says which site it was merged with. The dismissed flags of the removed record go
with it: they judged its data, not the survivor's.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ForeignObjectRel
from django.utils.translation import gettext as _
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import bulk_update_with_history, get_history_manager_for_model

from sites.models import DismissedFlag, MineSite, MineType
from sites.quality import flag_quality_issues, probable_duplicate_ids
from sites.stewardship import ensure_may_resolve_flags

# Fields a merge never copies: who and when, publication (the reviewer's decision), what the checks derive.
NOT_FILLED = {"id", "country", "is_published", "created_by", "created_at", "updated_at", "quality_flags"}
# Where a record came from is taken as a whole or not at all.
SOURCE_FIELDS = ("data_source", "source_record_id", "source_record_key", "source_status", "source_url")
# Relations that stay with the removed record (and are deleted with it).
NOT_MOVED = {DismissedFlag}
# simple-history's change reasons hold up to 100 characters.
CHANGE_REASON_LENGTH = 100


class MergeError(ValidationError):
    """A merge that cannot be made as asked; its message is shown to the reviewer."""


@dataclass
class MergeResult:
    survivor: MineSite
    removed_id: int
    removed_name: str
    moved: dict[str, int] = field(default_factory=dict)  # rows moved per related model's label
    filled: list[str] = field(default_factory=list)  # the survivor's fields filled from the removed record


@transaction.atomic
def merge_sites(*, survivor: MineSite, removed: MineSite, by) -> MergeResult:
    """Keep `survivor`, move everything of `removed` to it and delete `removed`; reviewers of the country only."""
    ensure_may_resolve_flags(by, survivor.country)
    ensure_may_resolve_flags(by, removed.country)
    if survivor.pk == removed.pk:
        raise MergeError(_("A site cannot be merged with itself: pick two different records."))
    locked = MineSite.objects.select_for_update().in_bulk([survivor.pk, removed.pk])
    if len(locked) < 2:
        raise MergeError(_("One of the two sites no longer exists; nothing was merged."))
    survivor, removed = locked[survivor.pk], locked[removed.pk]
    if survivor.country != removed.country:
        raise MergeError(
            _(
                "“%(survivor)s” is recorded in %(survivor_country)s and “%(removed)s” in %(removed_country)s: "
                "sites of two countries cannot be merged. Correct the country of the wrong record first."
            )
            % {
                "survivor": survivor.name,
                "survivor_country": survivor.get_country_display(),
                "removed": removed.name,
                "removed_country": removed.get_country_display(),
            }
        )
    neighbours = set(probable_duplicate_ids(survivor.pk)) | set(probable_duplicate_ids(removed.pk))
    result = MergeResult(survivor=survivor, removed_id=removed.pk, removed_name=removed.name)
    reason = _change_reason(f"merged into site #{survivor.pk}", survivor.name)
    for relation in MineSite._meta.related_objects:
        if relation.related_model in NOT_MOVED:
            continue
        moved = _move(relation, removed, survivor, by=by, reason=reason)
        if moved:
            result.moved[relation.related_model._meta.label] = moved
    result.filled = _fill_from(survivor, removed)

    removed._history_user = by
    removed._change_reason = reason
    removed.delete()  # before the survivor saves: it may take over the removed record's source key
    survivor._history_user = by
    survivor._change_reason = _change_reason(f"merged with site #{result.removed_id}", result.removed_name)
    survivor.save()
    flag_quality_issues(site_ids=(neighbours - {result.removed_id}) | {survivor.pk})
    return result


def _change_reason(text: str, name: str) -> str:
    room = CHANGE_REASON_LENGTH - len(text) - len(" ()")
    return f"{text} ({name if len(name) <= room else name[: room - 1] + '…'})"


def _move(relation: ForeignObjectRel, removed: MineSite, survivor: MineSite, *, by, reason: str) -> int:
    """Point the rows of one relation from `removed` to `survivor`; the number of rows moved."""
    model = relation.related_model
    if relation.many_to_many:
        return _move_links(relation, removed, survivor)
    name = relation.field.name
    rows = list(model._base_manager.filter(**{name: removed}))
    if not rows:
        return 0
    if relation.one_to_one and model._base_manager.filter(**{name: survivor}).exists():
        raise MergeError(
            _("Both sites have their own %(record)s, of which a site holds one; merge those first.")
            % {"record": model._meta.verbose_name}
        )
    for row in rows:
        setattr(row, name, survivor)
    try:
        get_history_manager_for_model(model)
    except NotHistoricalModelError:
        model._base_manager.filter(pk__in=[row.pk for row in rows]).update(**{name: survivor})
    else:
        bulk_update_with_history(
            rows, model, [name], default_user=by, default_change_reason=reason, manager=model._base_manager
        )
    return len(rows)


def _move_links(relation: ForeignObjectRel, removed: MineSite, survivor: MineSite) -> int:
    """Move the links of a many-to-many relation, leaving out those the survivor already has."""
    through = relation.through._base_manager
    to_site, to_other = relation.field.m2m_reverse_field_name(), relation.field.m2m_field_name()
    kept = through.filter(**{to_site: survivor}).values_list(f"{to_other}_id", flat=True)
    through.filter(**{to_site: removed, f"{to_other}_id__in": list(kept)}).delete()
    return through.filter(**{to_site: removed}).update(**{to_site: survivor})


def _is_missing(name: str, value) -> bool:
    return value in (None, "", []) or (name == "mine_type" and value == MineType.UNKNOWN)


def _fill_from(survivor: MineSite, removed: MineSite) -> list[str]:
    """Fill the survivor's empty fields from the removed record; its names join the alternative names."""
    filled = []
    for site_field in MineSite._meta.concrete_fields:
        name = site_field.name
        if name in NOT_FILLED or name in SOURCE_FIELDS or name == "alternative_names":
            continue
        mine, theirs = getattr(survivor, site_field.attname), getattr(removed, site_field.attname)
        if _is_missing(name, mine) and not _is_missing(name, theirs):
            setattr(survivor, site_field.attname, theirs)
            filled.append(name)
    if survivor.opened_year and survivor.closed_year and survivor.closed_year < survivor.opened_year:
        # Years from two records that contradict each other: the survivor keeps only its own.
        for name in ("opened_year", "closed_year"):
            if name in filled:
                setattr(survivor, name, None)
                filled.remove(name)
    if survivor.data_source_id is None and not survivor.source_record_id and removed.data_source_id is not None:
        for name in SOURCE_FIELDS:
            setattr(survivor, name, getattr(removed, name))
        filled.append("data_source")
    names = [*survivor.alternative_names, removed.name, *removed.alternative_names]
    seen = {survivor.name.strip().lower()}
    survivor.alternative_names = []
    for other_name in names:
        if other_name.strip() and other_name.strip().lower() not in seen:
            seen.add(other_name.strip().lower())
            survivor.alternative_names.append(other_name)
    return filled
