"""Tiles asked for by someone not signed in skip the page middleware.

A map asks for dozens of tiles per view, and none of sessions, CSRF, messages, the content security
policy, the audit trail's request or the sign-in lock-out apply to them. Such a request (GET or
HEAD under /tiles/, no session cookie) is routed to its tile view right after the security
middleware, as the anonymous user; anything else, a signed-in reader's tiles included, takes the
whole stack. The tile views still decide what a stranger may see (access.visibility).
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import Resolver404, resolve

TILE_PREFIX = "/tiles"
TILE_URLCONF = "geodata.tile_urls"


class AnonymousTileMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (
            path.startswith(TILE_PREFIX + "/")
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            try:
                match = resolve(path.removeprefix(TILE_PREFIX), urlconf=TILE_URLCONF)
            except Resolver404:
                return self.get_response(request)
            request.user = AnonymousUser()
            request.resolver_match = match
            return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)
