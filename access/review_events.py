"""What happens in review, announced to whoever must be told (e-mail notifications listen here).

Each signal is sent with `record` (the record concerned, or a proposed change to one) and `by` (the
user who acted, or None for the operator). Senders send inside their transaction; a receiver that
does outside work (mail) waits for the commit with `transaction.on_commit`.
"""

from django.dispatch import Signal

# A draft, or a proposed change to a published record, now waits for a reviewer of its country.
review_requested = Signal()
# A reviewer published the record.
published = Signal()
# A reviewer withdrew a published record from the public.
withdrawn = Signal()
# A reviewer sent a draft or a proposed change back to its author; also sent with `reason`.
sent_back = Signal()
