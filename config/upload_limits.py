"""Layer uploads larger than LAYER_UPLOAD_MAX_MB are refused before their body is read.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count files, so without this a huge upload is
written to disk in full before the form can say it is too large. The declared Content-Length is
checked as the request arrives (Django reads no multipart body beyond it); the upload form checks
the received file's size too.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse

LAYER_UPLOAD_PATHS = ("/layers/upload/", "/api/layers/upload/")
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Upload too large</title></head>
<body><h1>Upload too large</h1><p>{message}</p><p><a href="/layers/upload/">Back to the upload form</a></p></body>
</html>
"""


def too_large_message() -> str:
    return (
        f"The upload is larger than the {settings.LAYER_UPLOAD_MAX_MB} MB a layer upload may be. "
        "Split the data into several layers, or ask an administrator to raise LAYER_UPLOAD_MAX_MB."
    )


class UploadSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path_info in LAYER_UPLOAD_PATHS:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            # The form's other fields and the multipart framing take a few kilobytes more than the file.
            if declared > settings.LAYER_UPLOAD_MAX_MB * 1024 * 1024 + 64 * 1024:
                return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"error": too_large_message()}, status=413)
        else:
            response = HttpResponse(PAGE.format(message=too_large_message()), status=413)
        response["Connection"] = "close"  # the body is not read: the connection cannot be reused
        return response
