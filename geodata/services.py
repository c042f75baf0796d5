"""Write paths for survey layers: uploads handed to the ingest, retries, publishing, and shipped reference layers."""

import hashlib
import logging
import os
import socket
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import geopandas
import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from access.roles import may_upload_survey
from geodata import loading
from geodata.ingest import ingest_layer
from geodata.models import Layer, LayerStatus, LayerVersion

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReferenceLayerSpec:
    """A layer the registry ships (country outlines, faults…): its file and how to describe it."""

    slug: str
    title: str
    theme: str
    path: Path
    license: str
    attribution: str
    abstract: str = ""
    # Keep only rows whose `column` is in `values` (the file may cover more than the region).
    keep_column: str = ""
    keep_values: tuple[str, ...] = ()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@transaction.atomic
def load_reference_layer(spec: ReferenceLayerSpec) -> tuple[Layer, bool]:
    """Create or refresh a published reference layer from a clean EPSG:4326 file.

    Returns the layer and whether its features were (re)loaded; an unchanged file loads nothing.
    """
    sha256 = file_sha256(spec.path)
    layer, _ = Layer.objects.get_or_create(slug=spec.slug, defaults={"title": spec.title})
    described = {
        "title": spec.title,
        "theme": spec.theme,
        "license": spec.license,
        "attribution": spec.attribution,
        "abstract": spec.abstract,
        "status": LayerStatus.READY,
        "is_published": True,
    }
    changed_description = any(getattr(layer, field) != value for field, value in described.items())
    if layer.report.get("source_sha256") == sha256 and layer.feature_count and not changed_description:
        return layer, False

    frame = geopandas.read_file(spec.path, engine="pyogrio")
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise ValueError(f"{spec.path.name}: reference layers must be in EPSG:4326, found {frame.crs}")
    if spec.keep_column:
        frame = frame[frame[spec.keep_column].isin(spec.keep_values)]
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    attributes = frame.drop(columns=frame.geometry.name)
    properties = attributes.astype(object).where(attributes.notna(), None)

    for field, value in described.items():
        setattr(layer, field, value)
    layer.source_crs = "EPSG:4326"
    layer.encoding = "UTF-8"
    layer.field_schema = [{"name": str(name), "type": str(dtype)} for name, dtype in attributes.dtypes.items()]
    layer.report = {"source_file": spec.path.name, "source_sha256": sha256, "features_read": int(len(frame))}
    layer.save()
    loading.replace_features(
        layer,
        np.asarray(frame.geometry.values),
        properties.to_dict(orient="records"),
        [int(index) for index in frame.index],
    )
    return layer, True


@dataclass(frozen=True)
class IngestOptions:
    """What the uploader may tell the ingest: a CRS for files without one, an encoding, a layer to pick."""

    srid: int | None = None
    encoding: str = ""
    layer_name: str = ""


def import_layer_file(
    path: Path, *, metadata: dict, options: "IngestOptions", progress=None
) -> tuple[Layer | None, dict]:
    """Import a file from the server's disk into a new layer (the `import_layer` command); return it and the report.

    The ingest is all-or-nothing on its own (and reports progress as it goes, so it runs outside a
    transaction); a layer whose import failed is deleted, so a re-run with the missing option starts afresh.
    """
    layer = Layer.objects.create(**metadata)
    report = ingest_layer(
        layer,
        path,
        srid=options.srid,
        encoding=options.encoding or None,
        layer_name=options.layer_name or None,
        progress=progress,
    )
    if layer.status != LayerStatus.READY:
        layer.delete()
        return None, report
    return layer, report


def ensure_may_upload(user, country: str) -> None:
    if not may_upload_survey(user, country):
        raise PermissionDenied(gettext("Only survey uploaders of this country may upload or change its layers."))


@transaction.atomic
def start_layer_upload(*, by, upload: UploadedFile, metadata: dict, options: IngestOptions) -> Layer:
    """Store the upload, create its layer (queued) and enqueue the ingest; the worker does the rest."""
    ensure_may_upload(by, metadata.get("country", ""))
    layer = Layer(created_by=by, status=LayerStatus.QUEUED, upload_name=upload.name[:255], **metadata)
    layer.upload_file.save(upload.name, upload, save=False)
    layer.save()
    enqueue_ingest(layer, options)
    return layer


def discard_upload_if_unused(layer: Layer) -> bool:
    """Delete the layer's stored upload unless another layer (from the same multi-layer upload) or a version uses it."""
    return discard_stored_file_if_unused(layer.upload_file, except_layer=layer)


def discard_stored_file_if_unused(stored, *, except_layer: Layer | None = None) -> bool:
    """Delete a stored upload no (other) layer and no layer version refers to; return whether it was."""
    name = stored.name
    if not name or Layer.objects.filter(upload_file=name).exclude(pk=getattr(except_layer, "pk", None)).exists():
        return False
    if LayerVersion.objects.filter(stored_file=name).exists():
        return False
    stored.storage.delete(name)
    return True


def discard_refused_upload(layer: Layer) -> bool:
    """Delete the stored upload of an import refused for good; return whether it was.

    For good means the file could not even be opened as data (not an archive, a bomb, nothing
    readable in it): no option of the retry can change that. Uploads waiting for a CRS, a layer
    choice or another encoding, and imports stopped by an unexpected error, keep their file.
    """
    report = layer.report or {}
    refused = (
        layer.status == LayerStatus.FAILED
        and "dataset" not in report
        and "available_layers" not in report
        and "unexpected error" not in report.get("error", "")
    )
    if not refused or not discard_upload_if_unused(layer):
        return False
    Layer.objects.filter(pk=layer.pk).update(upload_file="")
    layer.upload_file.name = ""
    return True


@transaction.atomic
def retry_ingest(*, layer: Layer, by, options: IngestOptions) -> Layer:
    """Run the ingest again on the stored upload, e.g. once the uploader has given the CRS."""
    ensure_may_upload(by, layer.country)
    if layer.status in (LayerStatus.QUEUED, LayerStatus.PROCESSING):
        raise ValidationError(gettext("This layer is already being imported; wait for it to finish."))
    if not layer.upload_file:
        raise ValidationError(gettext("This layer has no stored upload to import again."))
    layer.status, layer.progress_stage, layer.progress_percent = LayerStatus.QUEUED, "queued", 0
    layer.save(update_fields=["status", "progress_stage", "progress_percent", "updated_at"])
    enqueue_ingest(layer, options)
    return layer


# Metadata a layer made from one part of a multi-layer upload shares with its siblings.
_SHARED_METADATA = (
    "agency",
    "country",
    "theme",
    "abstract",
    "source_date",
    "scale_denominator",
    "license",
    "attribution",
    "keywords",
    "upload_name",
    "created_by",
)


@transaction.atomic
def import_every_layer(*, layer: Layer, by, options: IngestOptions) -> list[Layer]:
    """Import each layer of a multi-layer upload as its own survey layer; return them (this one first).

    The uploader chose this instead of picking one layer. This layer takes the first name; each
    other name gets a new layer with the same metadata and the same stored upload.
    """
    ensure_may_upload(by, layer.country)
    names = (layer.report or {}).get("available_layers") or []
    if layer.status in (LayerStatus.QUEUED, LayerStatus.PROCESSING):
        raise ValidationError(gettext("This layer is already being imported; wait for it to finish."))
    if len(names) < 2 or not layer.upload_file:
        raise ValidationError(gettext("This upload does not hold several layers to import."))
    base_title = layer.title
    layers = [layer]
    for name in names[1:]:
        sibling = Layer(title=f"{base_title} — {name}"[:255], status=LayerStatus.QUEUED)
        for field in _SHARED_METADATA:
            setattr(sibling, field, getattr(layer, field))
        sibling.upload_file.name = layer.upload_file.name
        sibling.save()
        layers.append(sibling)
    layer.title = f"{base_title} — {names[0]}"[:255]
    layer.status, layer.progress_stage, layer.progress_percent = LayerStatus.QUEUED, "queued", 0
    layer.save()
    for each, name in zip(layers, names, strict=True):
        enqueue_ingest(each, IngestOptions(srid=options.srid, encoding=options.encoding, layer_name=name))
    return layers


def enqueue_ingest(layer: Layer, options: IngestOptions) -> None:
    # With the database backend the job row commits with the layer, so the worker never sees one without the other.
    from geodata.tasks import ingest_layer_task

    ingest_layer_task.enqueue(
        layer.pk, options.srid, options.encoding, options.layer_name, language=translation.get_language() or ""
    )


def sweep_stale_imports() -> int:
    """Fail imports whose worker is gone; return how many.

    Run when a worker starts, every INGEST_SWEEP_SECONDS while it runs, before every import and
    whenever someone looks at a running one. A job whose worker process on this machine has died
    fails at once; one on another machine fails when its progress has been silent for
    INGEST_STALE_AFTER_MINUTES.
    """
    from geodata.ingest import mark_stale_jobs_failed

    return fail_jobs_of_gone_workers() + mark_stale_jobs_failed(
        older_than=timedelta(minutes=settings.INGEST_STALE_AFTER_MINUTES)
    )


WORKER_GONE_REASON = (
    "The import worker running this import stopped (it was killed, or the database or the machine "
    "restarted), so the import was abandoned and nothing was imported. Import it again; if it "
    "happens again, tell an administrator."
)
_HOST = socket.gethostname()[:30]


def _process_start(pid: int) -> str:
    """When a process started (clock ticks since boot), or "" when there is no such process: a pid can be reused."""
    try:
        stat = open(f"/proc/{pid}/stat").read()  # noqa: PTH123, SIM115
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def worker_identity(pid: int | None = None) -> str:
    """A worker id naming its machine and process, so a sweep can tell whether that worker still runs."""
    pid = pid or os.getpid()
    return f"{_HOST}:{pid}:{_process_start(pid)}"


def worker_is_gone(worker_id: str) -> bool:
    """True when the worker ran on this machine and its process is no longer there; other machines' are unknown."""
    host, _, rest = worker_id.partition(":")
    pid, _, started = rest.partition(":")
    if host != _HOST or not pid.isdigit() or not started:
        return False
    return _process_start(int(pid)) != started


def fail_jobs_of_gone_workers(*, abandoned_by: str = "") -> int:
    """Fail running ingest jobs whose worker is gone (or, with `abandoned_by`, that worker's own left-overs).

    The job is marked failed with the reason, its layer fails with the same reason, and the
    temporary files of its unpacking are removed; the layer's retry imports it again.
    """
    from django_tasks_db.models import DBTaskResult

    from geodata.ingest import fail_abandoned_import
    from geodata.tasks import ingest_layer_task

    failed = 0
    for job in DBTaskResult.objects.running().filter(task_path=ingest_layer_task.module_path):
        last_worker = job.worker_ids[-1] if job.worker_ids else ""
        if not (last_worker == abandoned_by or worker_is_gone(last_worker)):
            continue
        with transaction.atomic():
            claimed = (
                DBTaskResult.objects.running()
                .filter(pk=job.pk)
                .update(
                    status="FAILED",
                    finished_at=timezone.now(),
                    exception_class_path="geodata.services.WorkerGone",
                    traceback=f"WorkerGone: worker {last_worker} stopped while running this job.",
                )
            )
            if not claimed:
                continue
            layer_id = (job.args_kwargs.get("args") or [None])[0]
            layer = Layer.objects.filter(pk=layer_id, status__in=[LayerStatus.QUEUED, LayerStatus.PROCESSING]).first()
            if layer is not None:
                fail_abandoned_import(layer, WORKER_GONE_REASON)
        logger.warning("failed ingest job %s of layer %s: its worker %s is gone", job.pk, layer_id, last_worker)
        failed += 1
    return failed
