"""Publishing: the one write path that decides what the public sees, for every kind of record."""

from django.db import transaction

from access.models import CountryRecord
from access.visibility import ensure_may_publish


@transaction.atomic
def publish(record: CountryRecord, *, by, published: bool = True) -> CountryRecord:
    """Publish (or, with `published=False`, withdraw) a record; only reviewers of its country may.

    The history keeps who decided. A kind of record may refuse to be published in its present
    state (a layer whose import failed) through its `check_publishable`.
    """
    ensure_may_publish(by, record)
    if published:
        record.check_publishable()
    record.is_published = published
    record._history_user = by
    record.save(update_fields=["is_published", "updated_at"])
    return record
