"""A database outage answers 503 with Retry-After instead of a server error.

While PostgreSQL restarts (or is unreachable), any view that touches the database raises
OperationalError or InterfaceError. This middleware answers those with 503 in the shape the
client expects: JSON `{"error": ...}` under /api/, the OGC exception `{"code", "description"}`
under /ogc, and a short HTML page elsewhere. Other errors are left to Django's handler500.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

MESSAGE = _("The database is not answering right now; try again in a few seconds.")
PAGE = """<!doctype html>
<html lang="{language}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>{message}</p></body></html>
"""


def outage_response(request) -> HttpResponse:
    path = request.path_info
    if path.startswith("/api/"):
        response = JsonResponse({"error": str(MESSAGE)}, status=503)
    elif path == "/ogc" or path.startswith("/ogc/"):
        response = JsonResponse({"code": "ServiceUnavailable", "description": str(MESSAGE)}, status=503)
    else:
        page = PAGE.format(
            language=get_language() or settings.LANGUAGE_CODE,
            title=escape(gettext("Temporarily unavailable")),
            message=escape(MESSAGE),
        )
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(settings.DATABASE_OUTAGE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turn OperationalError/InterfaceError from a view into a 503; first in MIDDLEWARE so it sees them all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError):  # raised by a middleware below that does not convert it
            logger.warning("database unavailable while answering %s", request.path, exc_info=True)
            return outage_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.warning("database unavailable while answering %s: %s", request.path, exception)
            return outage_response(request)
        return None
