"""Template questions about who looks after the data quality, for links shown only to those it concerns."""

from django import template

from sites.stewardship import quality_countries

register = template.Library()


@register.filter
def looks_after_quality(user) -> bool:
    """Whether `user` may open the data-quality page: a role in some country, or staff."""
    return bool(quality_countries(user))
