"""Template helpers for review: who sees the link to the review queue."""

from django import template

from remediation.review_queue import may_review

register = template.Library()


@register.filter
def reviews(user) -> bool:
    """Reviewers of any country and staff: the top bar links them to the review queue."""
    return may_review(user)
