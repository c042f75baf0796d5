"""Pages asked for without a language prefix are served, without a redirect, in the reader's language.

Pages live under /<lang>/ (i18n_patterns), so a shared link keeps its language. Old links, bookmarks
and QGIS ask for /sites/ or /layers/3/ and do not all follow redirects: such a request is routed
internally to /<lang>/sites/, the language being the one Django would choose (the language cookie,
then Accept-Language, then LANGUAGE_CODE). `request.path` keeps what was asked for, so `next`
parameters and slash redirects point back to the same unprefixed address. Addresses that exist
without a prefix (the API, tiles, OGC, admin, health check, language switch) are left alone.
"""

from django.conf import settings
from django.urls import get_urlconf, is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers


def page_in_language(path: str, language: str, urlconf) -> str | None:
    """The address of the page `path` names, prefixed with `language`; None if there is no such page."""
    prefixed = f"/{language}{path}"
    with translation.override(language):  # i18n_patterns match only the active language's prefix
        if is_valid_path(prefixed, urlconf) or (
            settings.APPEND_SLASH and not prefixed.endswith("/") and is_valid_path(prefixed + "/", urlconf)
        ):
            return prefixed
    return None


class LanguagePrefixMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        urlconf = getattr(request, "urlconf", None) or get_urlconf()
        if translation.get_language_from_path(path) or is_valid_path(path, urlconf):
            return self.get_response(request)  # already prefixed, or an address without language
        prefixed = page_in_language(path, translation.get_language_from_request(request), urlconf)
        if prefixed is None:
            return self.get_response(request)
        request.path_info = prefixed
        response = self.get_response(request)
        # The same address answers in different languages: caches must keep them apart.
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


def without_language_prefix(path: str) -> str:
    """ "/th/sites/import/" -> "/sites/import/": a page's address whatever its language; others unchanged."""
    if translation.get_language_from_path(path):
        return "/" + path.lstrip("/").partition("/")[2]
    return path
