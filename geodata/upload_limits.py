"""A size limit on uploaded files, enforced while the request body is received, not after it is stored.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out. A view that takes large files installs
`SizeLimitHandler` before the body is read (so it must be exempt from the CSRF middleware, which
reads the body, and check CSRF itself afterwards: see `limited_upload`). Past the limit the handler
stops keeping the file; the rest of the body is read and dropped, so the answer still reaches the
browser, and the view says how large a file may be.
"""

from functools import wraps

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class SizeLimitHandler(FileUploadHandler):
    """Counts the bytes of every file in the body; past `max_bytes` the upload stops and `exceeded` is set."""

    def __init__(self, max_bytes: int, request=None):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        self.exceeded = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # A body larger than the limit is refused before a byte of it is read into a file.
        if content_length and content_length > self.max_bytes + 64 * 1024:  # the form's other fields and headers
            self.exceeded = True
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.exceeded or self.received > self.max_bytes:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def limited_upload(max_bytes_setting):
    """Decorate a view taking files: the limit (`max_bytes_setting()`, read per request) applies while receiving.

    The view finds the handler as `request.upload_limit`; `request.upload_limit.exceeded` says the file was cut off.
    """

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def limited(request, *args, **kwargs):
            handler = SizeLimitHandler(max_bytes_setting(), request)
            request.upload_handlers.insert(0, handler)
            request.upload_limit = handler
            return protected(request, *args, **kwargs)

        return limited

    return decorator
