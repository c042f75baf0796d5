"""Inline chart helpers for the report: bar lengths relative to the largest row."""

from django import template

register = template.Library()


@register.simple_tag
def bar_width(value, rows, full_width: int) -> int:
    """The bar's length in pixels, the largest value of `rows` filling `full_width`."""
    largest = max((row.value for row in rows), default=0)
    return round(full_width * float(value) / float(largest)) if largest else 0
