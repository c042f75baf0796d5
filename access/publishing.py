"""Publishing: the one write path that decides what the public sees, for every kind of record."""

from django.db import transaction

from access import review_events
from access.models import CountryRecord
from access.visibility import ensure_may_publish


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
    record.is_published = published
    record._history_user = None if by is OPERATOR else by
    record.save(update_fields=["is_published", "updated_at"])
    event = review_events.published if published else review_events.withdrawn
    event.send(sender=type(record), record=record, by=None if by is OPERATOR else by)
    return record
