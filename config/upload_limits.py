"""Uploads larger than their limit are refused before their body is read: layers and site inventories.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count files, so without this a huge upload is
written to disk in full before a form can say it is too large. The declared Content-Length is
checked as the request arrives (Django reads no body beyond it); the forms check the received
file's size too.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

from config.language_prefix import without_language_prefix

# Path -> (the setting holding its limit in MB, what is uploaded there, the form to go back to).
LIMITS = {
    "/layers/upload/": ("LAYER_UPLOAD_MAX_MB", "a layer upload", "/layers/upload/"),
    "/api/layers/upload/": ("LAYER_UPLOAD_MAX_MB", "a layer upload", "/layers/upload/"),
    "/sites/import/": ("INVENTORY_UPLOAD_MAX_MB", "a site inventory", "/sites/import/"),
}
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Upload too large</title></head>
<body><h1>Upload too large</h1><p>{message}</p><p><a href="{back}">Back to the upload form</a></p></body>
</html>
"""


def too_large_message(setting: str, what: str) -> str:
    return (
        f"The upload is larger than the {getattr(settings, setting)} MB {what} may be; nothing was stored. "
        f"Split the data into smaller files, or ask an administrator to raise {setting}."
    )


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
    def refuse(request, setting: str, what: str, back: str) -> HttpResponse:
        message = too_large_message(setting, what)
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"error": message}, status=413)
        else:
            response = HttpResponse(PAGE.format(message=escape(message), back=back), status=413)
        response["Connection"] = "close"  # the body is not read: the connection cannot be reused
        return response
