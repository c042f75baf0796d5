"""What happens to a survey layer, announced to the apps above that keep something derived from layers.

Each signal is sent with `layer`. Publishing and withdrawing are announced by
access.review_events for every kind of record.
"""

from django.dispatch import Signal

# The layer's import finished: its features were replaced, or removed by a failed import.
imported = Signal()
# The layer was marked as administrative boundaries, unmarked, or given another naming attribute (sent
# inside the transaction that changed it).
boundaries_marked = Signal()
