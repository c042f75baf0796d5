"""The language menu of every page, and the JavaScript catalogue that the pages' scripts translate with."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.views.decorators.cache import cache_page
from django.views.decorators.http import last_modified
from django.views.i18n import JavaScriptCatalog


@dataclass(frozen=True)
class LanguageChoice:
    code: str
    name_local: str
    next_url: str  # this page in that language
    is_current: bool


def page_in_each_language(request) -> list[LanguageChoice]:
    """This page's address in every language: its language prefix swapped, its query string kept.

    A page without a prefix (the OGC pages) keeps its address; the cookie set_language sets decides there.
    """
    path = request.path_info
    first, _, rest = path.removeprefix("/").partition("/")
    codes = [code for code, _name in settings.LANGUAGES]
    query = request.META.get("QUERY_STRING", "")
    current = translation.get_language()
    choices = []
    for code, name_local in settings.LANGUAGES:  # each named in itself
        if first in codes:
            address = f"{get_script_prefix()}{code}/{rest}"
        else:
            address = request.path
        if query:
            address = f"{address}?{query}"
        choices.append(LanguageChoice(code, name_local, address, is_current=code == current))
    return choices


def language_choices(request) -> dict:
    """Context processor: `language_choices` for the menu in templates/base.html."""
    return {"language_choices": lambda: page_in_each_language(request)}


# The catalogue changes only with a deployment: cached for an hour, and unchanged since this process started.
CATALOGUE_SINCE = timezone.now()
javascript_catalog = last_modified(lambda request, **kwargs: CATALOGUE_SINCE)(
    cache_page(60 * 60)(JavaScriptCatalog.as_view())
)
