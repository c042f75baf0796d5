"""Changes to published records held for review: recorders propose, reviewers of the country accept or send back.

A published record keeps the values the public sees until a reviewer accepts a change to it. Each
app's write service asks `needs_review` before saving an edit, and holds it with `hold` instead;
reviewers' own edits and edits to drafts are saved as before. At most one change per record waits
at a time: its author may update it, anyone else must wait for the decision.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from access import review_events
from access.changes import FieldChange, changed_names, field_changes, field_values
from access.models import Country, ProposalState, ProposedChange, Role
from access.publishing import OPERATOR
from access.roles import countries_with_role, is_signed_in, is_staff
from access.visibility import ensure_may_publish, may_publish

# Kept by the registry itself or by reviewers' own actions, never part of a proposed change.
BOOKKEEPING_FIELDS = {"is_published", "created_by", "created_at", "updated_at"}
# A history row written by accepting a change says which change (so who proposed it) in its reason.
HISTORY_REASON_PREFIX = "proposed change "


class ProposalRefused(ValidationError):
    """A change that cannot be proposed or decided now; its message says why, for the person who tried."""


# ---- who waits for whom


def needs_review(record: Model, by) -> bool:
    """Whether an edit of `record` by `by` must wait for a reviewer: it is public and they do not review its country."""
    if record.pk is None or by is OPERATOR:
        return False
    model = type(record)
    stored = model._default_manager.filter(model.published_condition(), pk=record.pk).first()
    return stored is not None and not may_publish(by, stored.record_country())


def may_see(user, change: ProposedChange) -> bool:
    """A proposed change is read by its author, the reviewers of its country and staff."""
    return is_staff(user) or change.author_id == getattr(user, "pk", None) or may_publish(user, change.country)


def reviewable_changes(user) -> QuerySet[ProposedChange]:
    """The pending changes `user` may read: every one for staff, else their countries' as reviewer and their own."""
    pending = ProposedChange.objects.filter(state=ProposalState.PENDING).select_related("author", "content_type")
    if is_staff(user):
        return pending
    if not is_signed_in(user):
        return pending.none()
    countries = countries_with_role(user, Role.REVIEWER)
    return pending.filter(Q(country__in=sorted(countries)) | Q(author=user))


def pending_change(record: Model) -> ProposedChange | None:
    return ProposedChange.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk, state=ProposalState.PENDING
    ).first()


# ---- proposing


def editable_names(model: type[Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in BOOKKEEPING_FIELDS
    ]


def edited_values(record: Model, *, related: dict[str, list[int]] | None = None) -> dict[str, Any]:
    """What an edited, unsaved record changes against its stored row, JSON-ready; `related` adds many-to-many ids."""
    model = type(record)
    stored = model._default_manager.get(pk=record.pk)
    names = editable_names(model)
    before, after = field_values(stored, names), field_values(record, names)
    values = {name: to_json(after[name]) for name in changed_names(model, before, after)}
    for name, ids in (related or {}).items():
        if sorted(ids) != sorted(getattr(stored, name).values_list("pk", flat=True)):
            values[name] = sorted(ids)
    return values


@transaction.atomic
def hold(record: Model, *, by, related: dict[str, list[int]] | None = None) -> ProposedChange | None:
    """Store an edit of a published record as a proposed change, and put the record back as it is stored.

    The write services call this when `needs_review`; the record object is reloaded so whoever
    answers with it shows the published values. None when the edit changes nothing.
    """
    values = edited_values(record, related=related)
    record.refresh_from_db()
    return propose(record, values, by=by)


@transaction.atomic
def propose(record: Model, values: dict[str, Any], *, by) -> ProposedChange | None:
    """Propose `values` (JSON-ready, by field name) for a published record; its author's pending change is updated.

    The caller (each app's write service) has checked that `by` may edit the record at all.
    """
    if not is_signed_in(by):
        raise PermissionDenied(_("Sign in to propose a change."))
    content_type = ContentType.objects.get_for_model(record)
    pending = (
        ProposedChange.objects.select_for_update()
        .filter(content_type=content_type, object_id=record.pk, state=ProposalState.PENDING)
        .first()
    )
    if pending is not None and pending.author_id != by.pk:
        raise ProposalRefused(
            _("%(author)s has proposed a change to this record that waits for review; try again once it is decided.")
            % {"author": person_name(pending.author)}
        )
    if pending is not None:
        # The author's earlier fields stay proposed; any that now equal the published value leave it.
        merged = {**pending.values, **values}
        before = _current_values(record, merged)
        values = {name: merged[name] for name in changed_names(type(record), before, decoded_values(record, merged))}
    if not values:
        if pending is not None:
            pending.delete()
        return None
    if pending is None:
        try:
            with transaction.atomic():
                pending = ProposedChange.objects.create(
                    content_type=content_type,
                    object_id=record.pk,
                    country=record.record_country(),
                    values=values,
                    author=by,
                )
        except IntegrityError:
            raise ProposalRefused(
                _("Someone else proposed a change to this record a moment ago; try again once it is decided.")
            ) from None
    else:
        pending.values = values
        pending.save(update_fields=["values", "updated_at"])
    review_events.review_requested.send(sender=ProposedChange, record=pending, by=by)
    return pending


# ---- deciding


@transaction.atomic
def accept(change: ProposedChange, *, by) -> Model:
    """Apply a proposed change through the record's own save.

    The history row keeps the reviewer as its user and the change (so its author) in its reason.
    """
    change, record = _lock_for_decision(change, by)
    related = {}
    for name, value in decoded_values(record, change.values).items():
        field = record._meta.get_field(name)
        if field.many_to_many:
            related[name] = value
        else:
            setattr(record, field.attname, value)
    record.full_clean()
    record._history_user = by
    record._change_reason = f"{HISTORY_REASON_PREFIX}{change.pk}"
    record.save()
    for name, ids in related.items():
        getattr(record, name).set(ids)
    _decide(change, by, ProposalState.ACCEPTED)
    review_events.published.send(sender=type(record), record=record, by=by, change=change)
    return record


@transaction.atomic
def send_back(change: ProposedChange, *, by, reason: str) -> ProposedChange:
    """Return a proposed change to its author with the reviewer's reason; the record stays as published."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the change goes back, so its author can put it right.")})
    change, _record = _lock_for_decision(change, by)
    change.reason = reason
    _decide(change, by, ProposalState.SENT_BACK)
    review_events.sent_back.send(sender=ProposedChange, record=change, by=by, reason=reason)
    return change


def _lock_for_decision(change: ProposedChange, by) -> tuple[ProposedChange, Model]:
    change = ProposedChange.objects.select_for_update().get(pk=change.pk)
    record = change.content_type.model_class()._default_manager.select_for_update().filter(pk=change.object_id).first()
    ensure_may_publish(by, record if record is not None else change)
    if not change.is_pending:
        raise ProposalRefused(_("This change was already decided: %(state)s.") % {"state": change.get_state_display()})
    if record is None:
        raise ProposalRefused(_("The record this change was proposed for no longer exists."))
    return change, record


def _decide(change: ProposedChange, by, state: str) -> None:
    change.state = state
    change.decided_by = by
    change.decided_at = timezone.now()
    change.save(update_fields=["state", "decided_by", "decided_at", "reason", "updated_at"])


# ---- showing


def differences(change: ProposedChange, record: Model | None = None) -> list[FieldChange]:
    """The proposed change field by field: label, published value, proposed value."""
    record = record if record is not None else change.record
    if record is None:
        return []
    return field_changes(type(record), _current_values(record, change.values), decoded_values(record, change.values))


def accepted_changes_in(reasons) -> dict[str, ProposedChange]:
    """The proposed changes named in history rows' reasons (see `accept`), by reason, with their authors."""
    ids = {
        int(reason.removeprefix(HISTORY_REASON_PREFIX))
        for reason in reasons
        if reason and reason.startswith(HISTORY_REASON_PREFIX) and reason.removeprefix(HISTORY_REASON_PREFIX).isdigit()
    }
    changes = ProposedChange.objects.filter(pk__in=ids).select_related("author", "decided_by")
    return {f"{HISTORY_REASON_PREFIX}{change.pk}": change for change in changes}


def person_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def country_name(code: str) -> str:
    return str(Country(code).label) if code in Country.values else code


# ---- values as JSON


def to_json(value: Any) -> Any:
    """A field value as JSON holds it: ISO dates, numbers as text (no float rounding), geometry as WKT."""
    if isinstance(value, GEOSGeometry):
        return value.wkt
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def decoded_values(record: Model, values: dict[str, Any]) -> dict[str, Any]:
    """JSON values back to what the record's fields hold (related records by id)."""
    decoded = {}
    for name, value in values.items():
        field = record._meta.get_field(name)
        if value is None or field.is_relation:
            decoded[name] = value
        elif isinstance(field, GeometryField):
            decoded[name] = GEOSGeometry(value, srid=field.srid)
        else:
            decoded[name] = field.to_python(value)
    return decoded


def _current_values(record: Model, names) -> dict[str, Any]:
    values = field_values(record, names)
    for name in names:
        if record._meta.get_field(name).many_to_many:
            values[name] = sorted(getattr(record, name).values_list("pk", flat=True))
    return values


def waits_message(change: ProposedChange) -> str:
    return _(
        "Your change waits for review by a reviewer of %(country)s; until then everyone sees the published version."
    ) % {"country": country_name(change.country)}


def held_summary(change: ProposedChange) -> dict:
    """What the API answers (202 Accepted) when an edit was held for review."""
    return {
        "detail": waits_message(change),
        "proposed_change": {"id": change.pk, "state": change.state, "values": change.values},
    }


@dataclass(frozen=True)
class ShownChange:
    change: ProposedChange
    record: Model
    differences: list[FieldChange]
    may_decide: bool


def pending_changes_shown(records, user) -> list[ShownChange]:
    """The pending changes to `records` that `user` may read (author, country's reviewers, staff), with their diffs."""
    by_type: dict[int, dict[int, Model]] = {}
    for record in records:
        by_type.setdefault(ContentType.objects.get_for_model(record).pk, {})[record.pk] = record
    if not by_type:
        return []
    condition = Q()
    for type_id, records_by_id in by_type.items():
        condition |= Q(content_type_id=type_id, object_id__in=list(records_by_id))
    pending = ProposedChange.objects.filter(condition, state=ProposalState.PENDING).select_related("author")
    shown = []
    for change in pending:
        if not may_see(user, change):
            continue
        record = by_type[change.content_type_id][change.object_id]
        shown.append(ShownChange(change, record, differences(change, record), may_publish(user, change.country)))
    return shown
