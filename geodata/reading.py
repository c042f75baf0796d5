"""Read a dataset's features in chunks, so an import's memory does not grow with the file's size.

Each chunk is one vectorised pyogrio call (`skip_features`, `max_features`): geometries as WKB,
attribute columns as arrays, and whether GDAL dropped M values.
"""

import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyogrio.raw

from geodata.datasets import DatasetCandidate


@dataclass(frozen=True)
class RawChunk:
    """Features `start` to `start + len(wkb)` of the dataset, as read."""

    start: int
    wkb: np.ndarray
    fields: list  # (name, OGR type, OGR subtype, values) per attribute
    m_dropped: bool

    def __len__(self) -> int:
        return len(self.wkb)


def read_chunks(
    dataset: DatasetCandidate, text_encoding: str, size: int, *, attributes: bool = True
) -> Iterator[RawChunk]:
    """The dataset's features, `size` at a time; always at least one chunk (it carries the fields).

    Without `attributes`, only the geometries are read.
    """
    start = 0
    while True:
        chunk = _read(dataset, text_encoding, start, size, attributes)
        yield chunk
        if len(chunk) < size:
            return
        start += len(chunk)


def _read(dataset: DatasetCandidate, text_encoding: str, start: int, size: int, attributes: bool) -> RawChunk:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        meta, _, wkb, columns = pyogrio.raw.read(
            dataset.path,
            layer=dataset.layer,
            encoding=text_encoding if dataset.is_shapefile else None,
            datetime_as_string=True,
            skip_features=start,
            max_features=size,
            columns=None if attributes else [],
        )
    m_dropped = any("Measured (M)" in str(warning.message) for warning in caught)
    fields = list(zip(meta["fields"], meta["ogr_types"], meta["ogr_subtypes"], columns, strict=True))
    if wkb is None:
        wkb = np.full(len(columns[0]) if columns else 0, None, dtype=object)
    return RawChunk(start=start, wkb=wkb, fields=fields, m_dropped=m_dropped)
