"""Template helpers for review: who sees the queue link, and why a draft was sent back."""

from django import template

from access.publishing import latest_send_back
from remediation.review_queue import may_review

register = template.Library()


@register.filter
def reviews(user) -> bool:
    """Reviewers of any country and staff: the top bar links them to the review queue."""
    return may_review(user)


@register.simple_tag
def sent_back(record):
    """The latest send-back decision on a draft, or None (published records have none to show)."""
    return None if record.is_published else latest_send_back(record)
