"""Errors an uploader can fix: raised deep in the ingest, shown to them at the edge."""

from django.core.exceptions import ValidationError


class IngestError(ValidationError):
    """A problem with an uploaded file that the uploader can fix; its message is shown to them.

    Messages name the file, layer or feature concerned and say what to do, because the uploader
    sees them on the upload page, in the API's 400 answer and as a command's error.
    """


class LayerChoiceRequired(IngestError):
    """The upload holds several layers and the uploader has not said which one to import.

    Carries the names so the web form and the API can offer them as a choice.
    """

    def __init__(self, message: str, names: list[str]):
        super().__init__(message)
        self.names = names
