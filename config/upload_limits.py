"""Uploads larger than their limit are refused before their body is read: layers and site inventories.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count files, so without this a huge upload is
written to disk in full before a form can say it is too large. The declared Content-Length is
checked as the request arrives (Django reads no body beyond it); the forms check the received
file's size too.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from config.language_prefix import without_language_prefix

# Path -> (the setting holding its limit in MB, what is uploaded there, the form to go back to).
_LAYER_TOO_LARGE = _(
    "The upload is larger than the %(limit)s MB a layer upload may be; nothing was stored. "
    "Split the data into smaller files, or ask an administrator to raise %(setting)s."
)
_INVENTORY_TOO_LARGE = _(
    "The upload is larger than the %(limit)s MB a site inventory may be; nothing was stored. "
    "Split the data into smaller files, or ask an administrator to raise %(setting)s."
)
LIMITS = {
    "/layers/upload/": ("LAYER_UPLOAD_MAX_MB", _LAYER_TOO_LARGE, "/layers/upload/"),
    "/api/layers/upload/": ("LAYER_UPLOAD_MAX_MB", _LAYER_TOO_LARGE, "/layers/upload/"),
    "/sites/import/": ("INVENTORY_UPLOAD_MAX_MB", _INVENTORY_TOO_LARGE, "/sites/import/"),
}
PAGE = """<!doctype html>
<html lang="{language}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>{message}</p><p><a href="{back}">{back_text}</a></p></body>
</html>
"""


def too_large_message(setting: str, template: str) -> str:
    return str(template) % {"limit": getattr(settings, setting), "setting": setting}


class UploadSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Pages are under /<lang>/ (asked for as such, or routed there by config.language_prefix).
        limit = LIMITS.get(without_language_prefix(request.path_info)) if request.method == "POST" else None
        if limit:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            # The form's other fields and the multipart framing take a few kilobytes more than the file.
            if declared > getattr(settings, limit[0]) * 1024 * 1024 + 64 * 1024:
                return self.refuse(request, *limit)
        return self.get_response(request)

    @staticmethod
    def refuse(request, setting: str, template: str, back: str) -> HttpResponse:
        message = too_large_message(setting, template)
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"error": message}, status=413)
        else:
            page = PAGE.format(
                language=get_language() or settings.LANGUAGE_CODE,
                title=escape(gettext("Upload too large")),
                message=escape(message),
                back=back,
                back_text=escape(gettext("Back to the upload form")),
            )
            response = HttpResponse(page, status=413)
        response["Connection"] = "close"  # the body is not read: the connection cannot be reused
        return response
