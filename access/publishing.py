"""Publishing: the one write path that decides what the public sees, for every kind of record."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from access import review_events
from access.models import CountryRecord, Decision, ReviewDecision
from access.visibility import ensure_may_publish

# Long enough for a paragraph of advice, short enough to read in one look.
REASON_MAX_LENGTH = 2000


class Operator:
    """Whoever runs a management command on the server: they may change anything the database holds.

    Commands pass `by=OPERATOR` explicitly; a web request always has a user (anonymous or not), so
    no page or API call can take this path by accident.
    """

    def __repr__(self) -> str:
        return "OPERATOR"


OPERATOR = Operator()


@transaction.atomic
def publish(record: CountryRecord, *, by, published: bool = True) -> CountryRecord:
    """Publish (or, with `published=False`, withdraw) a record; only reviewers of its country may.

    The history keeps who decided (no one for the OPERATOR). A kind of record may refuse to be
    published in its present state (a layer whose import failed) through its `check_publishable`.
    """
    if by is not OPERATOR:
        ensure_may_publish(by, record)
    if published:
        record.check_publishable()
    user = None if by is OPERATOR else by
    record.is_published = published
    record._history_user = user
    record.save(update_fields=["is_published", "updated_at"])
    _keep_decision(record, Decision.PUBLISHED if published else Decision.WITHDRAWN, by=user)
    event = review_events.published if published else review_events.withdrawn
    event.send(sender=type(record), record=record, by=user)
    return record


@transaction.atomic
def publish_all(records: Iterable[CountryRecord], *, by) -> list[CountryRecord]:
    """Publish every record or none: each is checked before the first is changed.

    A record the user may not publish raises PermissionDenied, one that cannot be published yet a
    ValidationError; either way the transaction leaves every record as it was.
    """
    records = list(records)
    for record in records:
        ensure_may_publish(by, record)
        record.check_publishable()
    return [publish(record, by=by) for record in records]


@transaction.atomic
def send_back(record: CountryRecord, *, by, reason: str) -> ReviewDecision:
    """Send a draft back to its author with the reviewer's reason; it stays a draft, the reason is kept."""
    ensure_may_publish(by, record)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the record goes back: its author reads the reason.")})
    if len(reason) > REASON_MAX_LENGTH:
        message = _("Keep the reason under %(limit)d characters.") % {"limit": REASON_MAX_LENGTH}
        raise ValidationError({"reason": message})
    if record.is_published:
        raise ValidationError(_("Only a draft can be sent back; withdraw a published record instead."))
    decision = _keep_decision(record, Decision.SENT_BACK, by=by, reason=reason)
    review_events.sent_back.send(sender=type(record), record=record, by=by, reason=reason)
    return decision


def _keep_decision(record: CountryRecord, decision: str, *, by, reason: str = "") -> ReviewDecision:
    return ReviewDecision.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        decision=decision,
        reason=reason,
        by=by,
    )


def latest_send_backs(records: Iterable[CountryRecord]) -> dict[CountryRecord, ReviewDecision]:
    """For a page of records, in one query: each record's send-back, where that is still its latest decision."""
    wanted = Q()
    by_key = {}
    for record in records:
        content_type = ContentType.objects.get_for_model(record)
        wanted |= Q(content_type=content_type, object_id=record.pk)
        by_key[(content_type.pk, record.pk)] = record
    if not by_key:
        return {}
    latest = (
        ReviewDecision.objects.filter(wanted)
        .select_related("by")
        .order_by("content_type", "object_id", "-at", "-id")
        .distinct("content_type", "object_id")
    )
    return {
        by_key[(decision.content_type_id, decision.object_id)]: decision
        for decision in latest
        if decision.decision == Decision.SENT_BACK
    }


def latest_send_back(record: CountryRecord) -> ReviewDecision | None:
    """Why the record was last sent back, while that is still the latest decision on it (else None)."""
    latest = (
        ReviewDecision.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )
    return latest if latest is not None and latest.decision == Decision.SENT_BACK else None
