"""Display helpers for remediation pages: report bar lengths and numbers without trailing zeros."""

from decimal import Decimal

from django import template
from django.utils import formats

register = template.Library()


@register.simple_tag
def bar_width(value, rows, full_width: int, attribute: str = "value") -> int:
    """The bar's length in pixels, the largest `attribute` of `rows` filling `full_width`."""
    largest = max((getattr(row, attribute) for row in rows), default=0)
    return round(full_width * float(value) / float(largest)) if largest else 0


@register.simple_tag
def cost_in(row, currency: str):
    """A cost row's amount in one currency, None when it has none (an empty cell, not a zero)."""
    return row.amounts.get(currency)


@register.filter
def trimmed(value) -> str:
    """6.8000 -> "6.8", 420.0000 -> "420": readings as people write them, in the language's number format."""
    if value is None or value == "":
        return ""
    text = format(Decimal(value).normalize(), "f")
    return formats.number_format(Decimal(text))
