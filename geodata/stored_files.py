"""Stored uploads as files on this machine, whatever the storage holds them (a local disk or S3)."""

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.db.models.fields.files import FieldFile


@contextmanager
def local_file(stored: FieldFile, *, prefix: str):
    """The stored file's own path on a local disk; from any other storage, a temporary copy removed afterwards.

    GDAL and the unpacker read paths; the storage API gives streams. The copy keeps the file's
    suffixes, which tell the readers what it is, and lives in a folder named with `prefix`.
    """
    try:
        path = Path(stored.path)
    except NotImplementedError:  # not a file system: copy it out
        path = None
    if path is not None and path.exists():
        yield path
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        copy = Path(folder) / f"upload{''.join(Path(stored.name).suffixes[-2:]).lower()}"
        with stored.open("rb") as source, copy.open("wb") as target:
            shutil.copyfileobj(source, target)
        yield copy
