"""The one ingest service: an uploaded file becomes a survey layer's features and a report.

The web form, the API, the background task and `manage.py import_layer` all call
`ingest_layer`. It never raises for a bad file: the outcome is the layer's status (ready,
needs_crs, failed) and its report, which says what was read, repaired, dropped and rejected,
and why. Features are written in one transaction; a failed import leaves the layer without
features.
"""

import collections
import contextlib
import logging
import math
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import shapely
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from geodata import crs as crs_rules
from geodata import encoding as encodings
from geodata import generalise, geometry, layer_events, loading, outlines, reading
from geodata.datasets import DatasetCandidate, choose_dataset, find_datasets
from geodata.errors import IngestError, LayerChoiceRequired
from geodata.models import Layer, LayerStatus
from geodata.unpack import unpack_upload

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int], None]
# The report lists this many rejected features one by one; the count covers them all.
MAX_REPORTED_REJECTIONS = 100
STALE_JOB_REASON = gettext_lazy(
    "The import worker stopped responding (no progress for %(minutes)s minutes), so this import was "
    "abandoned. Upload the file again; if it happens again, tell an administrator."
)
_OGR_FIELD_TYPES = {
    "OFTInteger": "integer",
    "OFTInteger64": "integer",
    "OFTReal": "float",
    "OFTString": "string",
    "OFTDate": "date",
    "OFTDateTime": "datetime",
    "OFTTime": "time",
    "OFTBinary": "binary",
}
_INTEGER_OGR_TYPES = {"OFTInteger", "OFTInteger64"}


def ingest_layer(
    layer: Layer,
    upload_path: Path,
    *,
    srid: int | None = None,
    encoding: str | None = None,
    layer_name: str | None = None,
    original_name: str | None = None,
    progress: ProgressCallback | None = None,
) -> dict:
    """Import `upload_path` into `layer`, replacing its features; return the report (also saved on the layer).

    `srid` is the EPSG code the uploader gives when the file has no CRS (or to override it),
    `encoding` overrides a shapefile's text encoding, `layer_name` picks one layer of a
    multi-layer upload. Progress is saved on the layer as it goes (it doubles as the heartbeat
    that `mark_stale_jobs_failed` watches) and passed to `progress` if given.
    """
    original_name = original_name or upload_path.name  # stored uploads have generated names
    report: dict = {"source_file": original_name, "warnings": []}
    step = _Progress(layer, progress)
    _set_status(layer, LayerStatus.PROCESSING, report)
    try:
        with tempfile.TemporaryDirectory(prefix=temporary_prefix(layer.pk)) as work_dir:
            _ingest(
                layer,
                upload_path,
                Path(work_dir),
                report,
                step,
                srid=srid,
                encoding=encoding,
                layer_name=layer_name,
                original_name=original_name,
            )
    except LayerChoiceRequired as error:
        report["available_layers"] = error.names
        _fail(layer, report, error.message)
    except IngestError as error:
        _fail(layer, report, " ".join(error.messages))
    except Exception as error:  # a job must never stay "processing": record why, keep the traceback in the log
        logger.exception("Import of %s into layer %s failed", original_name, layer.pk)
        _fail(
            layer,
            report,
            gettext(
                "The import stopped on an unexpected error (%(error)s). "
                "Nothing was imported; tell an administrator if it happens again."
            )
            % {"error": f"{type(error).__name__}: {error}"},
        )
    if layer.status in (LayerStatus.READY, LayerStatus.FAILED):  # its features changed, or are gone
        layer_events.imported.send(sender=Layer, layer=layer)
    return layer.report


def temporary_prefix(layer_id: int) -> str:
    """The prefix of an import's unpacking folder in the temporary directory, by which its leftovers are found."""
    return f"ingest-{layer_id}-"


def remove_temporary_files(layer_id: int) -> int:
    """Delete the unpacking folders an import of this layer left behind (its worker died); return how many."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(temporary_prefix(layer_id) + "*"):
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def fail_abandoned_import(layer: Layer, reason: str) -> None:
    """Fail an import whose worker is gone: the layer says why and its temporary files are removed."""
    _fail(layer, dict(layer.report or {}), reason)
    remove_temporary_files(layer.pk)


def mark_stale_jobs_failed(older_than: timedelta) -> int:
    """Fail layers stuck in processing whose last progress is older than `older_than`; return how many.

    A worker that dies mid-import leaves its layer "processing"; its progress saves (which bump
    `updated_at`) stop, and this sweep makes the outcome visible instead of a spinner forever.
    """
    cutoff = timezone.now() - older_than
    stale = list(Layer.objects.filter(status=LayerStatus.PROCESSING, updated_at__lt=cutoff))
    for layer in stale:
        fail_abandoned_import(layer, str(STALE_JOB_REASON) % {"minutes": int(older_than.total_seconds() // 60)})
    return len(stale)


class _Progress:
    """Saves stage and percent with an UPDATE (no history row, no signals) so a page can poll it.

    While the features load inside their transaction, progress is saved through a second
    connection of its own thread, so pages (and the stale-job sweep) see it before the commit.
    """

    def __init__(self, layer: Layer, callback: ProgressCallback | None):
        self.layer = layer
        self.callback = callback
        self.seconds: dict[str, float] = {}  # per stage, for the report
        self._stage, self._started = None, time.perf_counter()
        self._side: ThreadPoolExecutor | None = None

    def __call__(self, stage: str, percent: int) -> None:
        self.lap()
        self._stage = stage
        self.layer.progress_stage, self.layer.progress_percent = stage, percent
        if self._side is None:
            _save_progress(self.layer.pk, stage, percent)
        else:
            self._side.submit(_save_progress, self.layer.pk, stage, percent).result()
        if self.callback:
            self.callback(stage, percent)

    def lap(self) -> None:
        """Close the current stage's timing."""
        now = time.perf_counter()
        if self._stage is not None:
            self.add_seconds(self._stage, now - self._started)
        self._started = now

    def add_seconds(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = round(self.seconds.get(stage, 0) + seconds, 3)

    @contextlib.contextmanager
    def through_side_connection(self):
        """Save progress through a second connection until the block ends (and every save is done).

        Not when the caller's own transaction holds the layer: nobody else could see it anyway.
        """
        if connection.in_atomic_block and len(connection.atomic_blocks) > 1:
            yield
            return
        self._side = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-progress")
        try:
            yield
        finally:
            self._side.submit(connection.close)  # that thread's own connection
            self._side.shutdown(wait=True)
            self._side = None


def _save_progress(layer_id: int, stage: str, percent: int) -> None:
    Layer.objects.filter(pk=layer_id).update(progress_stage=stage, progress_percent=percent, updated_at=timezone.now())


def _ingest(layer, upload_path, work_dir, report, step, *, srid, encoding, layer_name, original_name) -> None:
    step("unpacking", 5)
    unpacked = unpack_upload(upload_path, work_dir, original_name=original_name)
    step("finding datasets", 10)
    inventory = find_datasets(unpacked)
    report["available_layers"] = inventory.names
    if inventory.skipped_tables:
        report["skipped_tables"] = inventory.skipped_tables
    dataset = choose_dataset(inventory, layer_name)
    report.update(dataset=dataset.name, dataset_file=dataset.source_file, driver=dataset.driver)

    text_encoding, decided_by = _encoding_of(dataset, encoding, report)
    report.update(encoding=text_encoding, encoding_decided_by=decided_by)
    source_crs = _source_crs(dataset, srid, report)
    if source_crs is None:
        _wait_for_crs(layer, report, dataset)
        return

    step("surveying", 15)
    copies_plan = _survey(dataset, text_encoding, source_crs)
    step("reading", 20)
    total = max(dataset.feature_count, 1)
    tally = _Tally(report)
    with transaction.atomic():
        writer = loading.LayerWriter(layer, copies_plan.finest_band)
        with step.through_side_connection():
            for chunk in _prepared_chunks(
                dataset, text_encoding, source_crs, writer, copies_plan.coarsest, step.seconds
            ):
                if chunk.rows is not None:
                    writer.write(chunk.rows)
                tally.add(chunk)
                step("loading", 20 + min(75, 75 * tally.read // total))
        if not tally.imported:
            raise IngestError(_nothing_good_message(dataset, report))
        tally.finish()
        loading.set_summary(layer, tally.imported, tally.geometry_types, tally.bounds)
        if outlines.lies_outside_its_country(layer):
            warning = _outside_country_warning(layer)
            report["warnings"].append(warning)
            report["outside_country"] = warning  # the layer's page shows it first, to those who look after it
        layer.field_schema = report["fields"]
        layer.source_crs = report["source_crs"]
        layer.encoding = text_encoding
        step.lap()
        report["stage_seconds"] = dict(step.seconds)
        _set_status(layer, LayerStatus.READY, report)
    step("done", 100)


@dataclass
class _PreparedChunk:
    """One chunk read, checked, reprojected, repaired and encoded for COPY (`rows`: None if none is good)."""

    start: int
    reasons: np.ndarray
    z_dropped: int
    m_dropped: int
    repaired: int
    schema: list
    stored: np.ndarray
    rows: loading.EncodedRows | None


def _survey(dataset: DatasetCandidate, text_encoding: str, source_crs) -> generalise.Plan:
    """A first, quick read of the geometries alone, to plan the generalised copies (generalise.plan).

    Which features a low zoom keeps depends on all of them (the largest per square wins), so it is
    decided before the first chunk is written. Features the import will reject count as absent when
    it can tell from their box already.
    """
    boxes, points, vertices = [], [], []
    for raw in reading.read_chunks(dataset, text_encoding, loading.COPY_CHUNK_ROWS, attributes=False):
        geometries, reasons = geometry.parse_wkb(raw.wkb)
        geometry.reject_unusable(geometries, reasons)
        box = np.full((len(geometries), 4), np.nan)
        usable = reasons == None  # noqa: E711
        box[usable] = crs_rules.lonlat_boxes(shapely.bounds(geometries[usable]), source_crs)
        box[~crs_rules.on_earth(box)] = np.nan
        boxes.append(box)
        points.append(generalise.is_point(geometries))
        vertices.append(shapely.get_num_coordinates(geometries))
    return generalise.plan(np.concatenate(boxes), np.concatenate(points), np.concatenate(vertices))


def _prepared_chunks(dataset, text_encoding, source_crs, writer, coarsest, seconds) -> Iterator[_PreparedChunk]:
    """The dataset's chunks, each prepared in a thread while the previous one is written.

    Feature ids are reserved on this thread's connection before a chunk is handed over, as many as
    a chunk can hold; the preparing thread never touches the database.
    """
    chunks = reading.read_chunks(dataset, text_encoding, loading.COPY_CHUNK_ROWS)
    clock = _StageClock(seconds)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-prepare") as preparer:

        def submit():
            ids = writer.reserve_ids(loading.COPY_CHUNK_ROWS)
            return preparer.submit(_prepare_next, chunks, source_crs, writer, ids, coarsest, clock)

        pending = submit()
        while (chunk := pending.result()) is not None:
            pending = submit()
            yield chunk


def _prepare_next(chunks, source_crs, writer, ids, coarsest, clock) -> "_PreparedChunk | None":
    with clock("reading"):
        raw = next(chunks, None)
    if raw is None:
        return None
    with clock("validating"):
        geometries, reasons = geometry.parse_wkb(raw.wkb)
        geometry.reject_unusable(geometries, reasons)
        geometries, z_dropped = geometry.drop_z(geometries)
        m_dropped = int(np.count_nonzero(reasons == None)) if raw.m_dropped else 0  # noqa: E711
    with clock("reprojecting"):
        geometries = crs_rules.to_wgs84(_without_rejected(geometries, reasons), source_crs)
        _merge_reasons(reasons, crs_rules.out_of_range_reasons(geometries))
    with clock("validating"):
        geometries, repaired = geometry.repair(_without_rejected(geometries, reasons), reasons)
    good = reasons == None  # noqa: E711
    schema, properties = _properties(raw.fields, good)
    stored = geometries[good]
    rows = None
    if len(stored):
        with clock("encoding and generalising"):
            source_indexes = raw.start + np.flatnonzero(good)
            rows = writer.encode(stored, properties, source_indexes, ids, coarsest[source_indexes])
    return _PreparedChunk(raw.start, reasons, z_dropped, m_dropped, repaired, schema, stored, rows)


class _StageClock:
    """Adds up the seconds spent in each stage of the preparing thread."""

    def __init__(self, seconds: dict[str, float]):
        self.seconds = seconds

    @contextlib.contextmanager
    def __call__(self, stage: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = round(self.seconds.get(stage, 0) + time.perf_counter() - started, 3)


class _Tally:
    """What the report says about the features, added up chunk by chunk."""

    def __init__(self, report: dict):
        self.report = report
        report.update(features_read=0, z_dropped=0, m_dropped=0, repaired=0, rejected=0, rejections=[])
        self.read = self.imported = 0
        self.geometry_types: collections.Counter = collections.Counter()
        self.bounds = None

    def add(self, chunk: _PreparedChunk) -> None:
        report = self.report
        self.read += len(chunk.reasons)
        report["features_read"] = self.read
        report["z_dropped"] += chunk.z_dropped
        report["m_dropped"] += chunk.m_dropped
        report["repaired"] += chunk.repaired
        report["fields"] = chunk.schema
        rejected = np.flatnonzero(chunk.reasons != None)  # noqa: E711
        report["rejected"] += len(rejected)
        room = MAX_REPORTED_REJECTIONS - len(report["rejections"])
        report["rejections"] += [
            {"index": int(chunk.start + index), "reason": chunk.reasons[index]} for index in rejected[:room]
        ]
        if len(chunk.stored):
            self.imported += len(chunk.stored)
            self.geometry_types.update(geometry.type_counts(chunk.stored))
            xmin, ymin, xmax, ymax = shapely.total_bounds(chunk.stored)
            if self.bounds is not None:
                xmin, ymin = min(xmin, self.bounds[0]), min(ymin, self.bounds[1])
                xmax, ymax = max(xmax, self.bounds[2]), max(ymax, self.bounds[3])
            self.bounds = (xmin, ymin, xmax, ymax)

    def finish(self) -> None:
        """The report's totals, once every chunk is in."""
        self.report["imported"] = self.imported
        self.report["geometry_types"] = dict(sorted(self.geometry_types.items()))
        self.report["warnings"] += _geometry_warnings(self.bounds, self.report["geometry_types"])


def _outside_country_warning(layer: Layer) -> str:
    xmin, ymin, xmax, ymax = layer.extent.extent
    return gettext(
        "The layer lies outside %(country)s: its extent (lon %(xmin).2f..%(xmax).2f, "
        "lat %(ymin).2f..%(ymax).2f) does not touch the country's outline. Check the country it is filed "
        "under, or the coordinate system of the file."
    ) % {"country": layer.get_country_display(), "xmin": xmin, "xmax": xmax, "ymin": ymin, "ymax": ymax}


def _encoding_of(dataset: DatasetCandidate, override: str | None, report: dict) -> tuple[str, str]:
    if dataset.is_shapefile:
        return encodings.dbf_encoding(dataset.path.with_suffix(".dbf"), override=override)
    if override:
        report["warnings"].append(
            gettext("The encoding %(encoding)s was ignored: %(driver)s files are always UTF-8.")
            % {"encoding": override, "driver": dataset.driver}
        )
    return "UTF-8", encodings.FROM_FORMAT


def _source_crs(dataset: DatasetCandidate, srid: int | None, report: dict):
    declared = crs_rules.crs_from_dataset(dataset.crs)
    if srid is not None:
        chosen = crs_rules.crs_from_srid(srid)
        if declared is not None and not declared.equals(chosen):
            report["warnings"].append(
                gettext("The file declares %(declared)s; EPSG:%(srid)s was used as you asked.")
                % {"declared": crs_rules.describe_crs(declared), "srid": srid}
            )
        report.update(source_crs=f"EPSG:{srid}", source_crs_decided_by="user")
        return chosen
    if declared is not None:
        report.update(source_crs=crs_rules.describe_crs(declared), source_crs_decided_by="file")
    return declared


def _wait_for_crs(layer: Layer, report: dict, dataset: DatasetCandidate) -> None:
    report["needs_crs"] = True
    report["message"] = gettext(
        "%(file)s does not say which coordinate reference system its coordinates are in "
        "(%(missing)s). Give its EPSG code "
        "(for example 4326 for longitude/latitude, 32648 for UTM 48N) and import it again."
    ) % {
        "file": dataset.source_file,
        "missing": gettext("no .prj file") if dataset.is_shapefile else gettext("no CRS in the file"),
    }
    _clear_features(layer)
    _set_status(layer, LayerStatus.NEEDS_CRS, report)


def _without_rejected(geometries: np.ndarray, reasons: np.ndarray) -> np.ndarray:
    rejected = reasons != None  # noqa: E711
    if not rejected.any():
        return geometries
    geometries = geometries.copy()
    geometries[rejected] = None
    return geometries


def _merge_reasons(reasons: np.ndarray, new_reasons: np.ndarray) -> None:
    fill = (reasons == None) & (new_reasons != None)  # noqa: E711
    reasons[fill] = new_reasons[fill]


def _nothing_good_message(dataset: DatasetCandidate, report: dict) -> str:
    reasons: dict[str, int] = {}
    for rejection in report["rejections"]:
        reasons[rejection["reason"]] = reasons.get(rejection["reason"], 0) + 1
    summary = "; ".join(f"{reason} ({count})" for reason, count in reasons.items())
    if not report["features_read"]:
        return gettext("%(file)s: layer %(layer)s has no features.") % {
            "file": dataset.source_file,
            "layer": dataset.name,
        }
    return gettext("No feature of %(layer)s could be imported (%(read)s read): %(reasons)s.") % {
        "layer": dataset.name,
        "read": report["features_read"],
        "reasons": summary,
    }


def sanitise_field_names(names: Sequence[str]) -> list[str]:
    """Lowercase names with spaces and punctuation as `_`, unique; non-ASCII letters are kept."""
    result: list[str] = []
    for position, original in enumerate(names, start=1):
        base = re.sub(r"\W+", "_", str(original).strip().lower()).strip("_")[:60] or f"field_{position}"
        name, suffix = base, 2
        while name in result:
            name, suffix = f"{base}_{suffix}", suffix + 1
        result.append(name)
    return result


def _properties(fields: list, good: np.ndarray) -> tuple[list[dict], list[str]]:
    """The field schema and, per good feature, its attributes as JSON object text (types kept, dates as ISO text).

    Built column by column: each distinct value of a column is encoded once, and rows are joined at C speed.
    """
    names = sanitise_field_names([field[0] for field in fields])
    schema, columns = [], []
    for name, (original, ogr_type, ogr_subtype, values) in zip(names, fields, strict=True):
        field_type = "boolean" if ogr_subtype == "OFSTBoolean" else _OGR_FIELD_TYPES.get(ogr_type, "list")
        schema.append({"name": name, "original_name": str(original), "type": field_type})
        columns.append(_json_members(name, _json_ready(values[good], ogr_type in _INTEGER_OGR_TYPES)))
    if not columns:
        return schema, ["{}"] * int(np.count_nonzero(good))
    columns[0] = ["{" + member for member in columns[0]]
    columns[-1] = [member + "}" for member in columns[-1]]
    return schema, list(map(",".join, zip(*columns, strict=True)))


def _json_members(name: str, values: list) -> list[str]:
    """`"name":value` JSON text per value; each distinct (hashable) value is encoded once."""
    encode = loading.json_encoder().encode
    key = encode(name) + ":"
    encoded: dict = {}
    members = []
    for value in values:
        try:
            cache_key = (value.__class__, value)  # the class too: True, 1 and 1.0 are equal keys
            member = encoded.get(cache_key)
        except TypeError:  # a list value: not hashable
            members.append(key + encode(value))
            continue
        if member is None:
            member = encoded[cache_key] = key + _json_scalar(value, encode)
        members.append(member)
    return members


def _json_scalar(value, encode: Callable[[object], str]) -> str:
    """JSON text of one value; ints and finite floats directly (as json does), the rest through `encode`."""
    if value.__class__ is int:
        return int.__repr__(value)
    if value.__class__ is float and math.isfinite(value):
        return float.__repr__(value)
    return encode(value)


def _json_ready(values: np.ndarray, is_integer: bool) -> list:
    """Python values for JSON: NaN as null, integers kept integers even when nulls made the column float."""
    if values.dtype.kind == "f":
        missing = np.isnan(values)
        result = values.astype(object)
        result[missing] = None
        if is_integer:
            result[~missing] = values[~missing].astype(np.int64).tolist()
        return result.tolist()
    return values.tolist()


def _geometry_warnings(bounds: tuple, type_counts: dict[str, int]) -> list[str]:
    found = []
    families = {name.removeprefix("Multi") for name in type_counts}
    if len(families) > 1:
        found.append(gettext("Mixed geometry types, all kept: %(types)s.") % {"types": ", ".join(sorted(type_counts))})
    xmin, _, xmax, _ = bounds
    if xmin < -170 and xmax > 170:
        found.append(
            gettext(
                "The features lie on both sides of the antimeridian (180°); the extent (lon %(xmin).2f..%(xmax).2f) "
                "spans the whole world and maps will show the layer zoomed out."
            )
            % {"xmin": xmin, "xmax": xmax}
        )
    return found


def _clear_features(layer: Layer) -> None:
    """Remove the layer's features and copies; plain assignments, so failing depends on little that may fail."""
    loading.delete_features(layer)
    layer.feature_count, layer.geometry_type, layer.extent = 0, "", None


def _set_status(layer: Layer, status: str, report: dict) -> None:
    layer.status = status
    layer.report = report
    if status != LayerStatus.PROCESSING:
        layer.progress_stage = status
    layer.save()


def _fail(layer: Layer, report: dict, message: str) -> None:
    report["error"] = message
    _clear_features(layer)
    _set_status(layer, LayerStatus.FAILED, report)
