"""A layer's versions: replacing its data with a corrected file, appending a file's features, publishing the change.

A new file is imported by the one ingest (geodata/ingest.py), unchanged, into a *staged change*: a
layer row of its own that points at the layer it is for (`Layer.staged_for`) and that no page, list
or API shows as a layer. The layer keeps its features, report and status while the file imports, so
a file that fails leaves it as it was; the staged change keeps the failure and its reason for the
layer's page. A change that imported well becomes the layer's data in one transaction: its rows are
moved under the layer's id (one UPDATE; nothing is read or written feature by feature in Python).

Publishing: what the public sees of a published layer changes only when a reviewer publishes the
new version. A change to a published layer waits, imported and ready, until a reviewer of the
layer's country publishes it (`publish_change`) or someone discards it; a change to a draft layer
becomes its data as soon as it has imported.

Each change that becomes a layer's data is recorded as a `LayerVersion`.
"""

import enum
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from access import review_events
from access.models import Country, Role
from access.publishing import OPERATOR
from access.roles import working_countries
from access.visibility import ensure_may_publish
from geodata import loading
from geodata.ingest import ingest_layer
from geodata.models import ChangeKind, Feature, GeneralisedFeature, Layer, LayerStatus, LayerVersion
from geodata.services import enqueue_ingest

_RUNNING = (LayerStatus.QUEUED, LayerStatus.PROCESSING)
# What a replacement takes from the file's import; the description (title, licence…) stays the layer's own.
_DATA_FIELDS = (
    "geometry_type",
    "source_crs",
    "encoding",
    "feature_count",
    "extent",
    "field_schema",
    "report",
    "upload_file",
    "upload_name",
)


class Outcome(enum.StrEnum):
    """What became of a staged change once its file was imported."""

    APPLIED = "applied"  # it is the layer's data now
    WAITING = "waiting"  # imported; waits for a reviewer to publish it (the layer is published)
    FAILED = "failed"  # the layer is unchanged; the staged change says why


def may_change_data(user, layer: Layer) -> bool:
    """The layer's uploaders and the reviewers of its country replace and append to its data."""
    return user is OPERATOR or layer.country in working_countries(user, Role.SURVEY_UPLOADER)


def ensure_may_change_data(user, layer: Layer) -> None:
    if not may_change_data(user, layer):
        country = Country(layer.country).label if layer.country in Country.values else _("its country")
        raise PermissionDenied(
            _("Only survey uploaders and reviewers of %(country)s may replace or add to this layer's data.")
            % {"country": country}
        )


def latest_change(layer: Layer) -> Layer | None:
    """The layer's staged change, if one is importing, waits to be published, or failed (to say why)."""
    return layer.staged_changes.order_by("-pk").first()


def why_change_failed(change: Layer) -> str:
    """The reason a staged change could not be used, as its import or the field check wrote it."""
    report = change.report or {}
    return report.get("error") or report.get("message") or ""


def takes_new_file(layer: Layer, change: Layer | None) -> bool:
    """Whether the layer can take a new file now: neither it nor a new file of it is importing or waiting."""
    return layer.status not in _RUNNING and (change is None or change.status not in (*_RUNNING, LayerStatus.READY))


def running_change(layer: Layer) -> Layer | None:
    return layer.staged_changes.filter(status__in=_RUNNING).order_by("-pk").first()


def waiting_change(layer: Layer) -> Layer | None:
    return layer.staged_changes.filter(status=LayerStatus.READY).order_by("-pk").first()


@transaction.atomic
def start_layer_change(*, layer: Layer, by, kind: str, upload: UploadedFile, options) -> Layer:
    """Store a new file for `layer` (to replace or append to its data) and enqueue its import; return the change.

    The web page and the API call this; the background task settles the change when the import ends.
    """
    change = _stage(layer, by=by, kind=kind, file_name=upload.name)
    change.upload_file.save(upload.name, upload, save=False)
    change.save()
    enqueue_ingest(change, options)
    return change


def change_layer_from_path(path: Path, *, layer: Layer, by, kind: str, options, progress=None) -> tuple[Layer, str]:
    """Import a file from the server's disk into `layer` now (`import_layer`); return the change and outcome.

    The file is not stored: the version records its name only.
    """
    with transaction.atomic():
        change = _stage(layer, by=by, kind=kind, file_name=path.name)
        change.save()
    ingest_layer(
        change,
        path,
        srid=options.srid,
        encoding=options.encoding or None,
        layer_name=options.layer_name or None,
        progress=progress,
    )
    return change, settle_change(change)


def _stage(layer: Layer, *, by, kind: str, file_name: str) -> Layer:
    """A new staged change for `layer`, unsaved, once who asks and the layer's state allow it."""
    ensure_may_change_data(by, layer)
    if kind not in (ChangeKind.REPLACE, ChangeKind.APPEND):
        raise ValueError(f"unknown change {kind!r}")
    layer = Layer.objects.select_for_update().get(pk=layer.pk)  # one change at a time per layer
    if layer.staged_for_id:
        raise ValidationError(_("This is a staged change, not a layer."))
    if layer.status in _RUNNING:
        raise ValidationError(_("This layer is being imported; wait for its import to finish."))
    if kind == ChangeKind.APPEND and layer.status != LayerStatus.READY:
        raise ValidationError(
            _("Features can only be added to a layer that imported successfully; replace its data instead.")
        )
    pending = layer.staged_changes.filter(status__in=[*_RUNNING, LayerStatus.READY]).first()
    if pending is not None:
        if pending.status == LayerStatus.READY:
            message = _(
                "A new version of this layer (%(file)s) waits for a reviewer to publish it; "
                "publish or discard it before uploading another file."
            )
        else:
            message = _("A new file for this layer (%(file)s) is being imported; wait for it to finish.")
        raise ValidationError(message % {"file": pending.upload_name})
    for superseded in layer.staged_changes.all():  # failed ones: their reason is no longer news
        _delete_change(superseded)
    return Layer(
        title=layer.title[:255],
        country=layer.country,
        theme=layer.theme,
        staged_for=layer,
        staged_change=kind,
        status=LayerStatus.QUEUED,
        upload_name=file_name[:255],
        created_by=None if by is OPERATOR else by,
    )


def settle_import(layer: Layer) -> str | None:
    """After any import: settle a staged change, or record a new layer's first version; the change's outcome."""
    if layer.staged_for_id:
        return settle_change(layer)
    record_first_version(layer)
    return None


def settle_change(change: Layer) -> str:
    """After a staged change's import: apply it, leave it waiting for a reviewer, or keep its failure; say which.

    An appended file must have the layer's fields (names and types); otherwise nothing is added and
    the change says which fields differ.
    """
    if change.status != LayerStatus.READY:
        return Outcome.FAILED
    layer = change.staged_for
    if change.staged_change == ChangeKind.APPEND:
        difference = field_difference(layer.field_schema, change.field_schema)
        if difference:
            _fail_change(change, difference)
            return Outcome.FAILED
    if layer.is_published:
        review_events.review_requested.send(sender=Layer, record=layer, by=change.created_by)
        return Outcome.WAITING
    apply_change(change)
    return Outcome.APPLIED


def field_difference(expected: list[dict], found: list[dict]) -> str:
    """Why a file's fields do not match the layer's (names and types), or "" when they do."""
    expected_types = {field["name"]: field["type"] for field in expected}
    found_types = {field["name"]: field["type"] for field in found}
    problems = []
    missing = [name for name in expected_types if name not in found_types]
    extra = [name for name in found_types if name not in expected_types]
    retyped = [
        _("%(field)s is %(found)s, not %(expected)s") % {"field": name, "found": kind, "expected": expected_types[name]}
        for name, kind in found_types.items()
        if name in expected_types and expected_types[name] != kind
    ]
    if missing:
        problems.append(_("missing fields: %(fields)s") % {"fields": ", ".join(missing)})
    if extra:
        problems.append(_("fields the layer does not have: %(fields)s") % {"fields": ", ".join(extra)})
    if retyped:
        problems.append(_("different types: %(fields)s") % {"fields": "; ".join(retyped)})
    if not problems:
        return ""
    return _(
        "The file's fields do not match the layer's, so nothing was added (%(problems)s). "
        "Add features with the same fields, or replace the layer's data instead."
    ) % {"problems": "; ".join(problems)}


def _fail_change(change: Layer, message: str) -> None:
    with transaction.atomic():
        loading.delete_features(change)
        change.report = {**change.report, "error": message}
        change.status, change.progress_stage = LayerStatus.FAILED, LayerStatus.FAILED
        change.feature_count, change.extent = 0, None
        change.save()


@transaction.atomic
def apply_change(change: Layer, *, by=None) -> LayerVersion:
    """Make an imported staged change the layer's data, record it as a version, and remove the staged row."""
    layer = Layer.objects.select_for_update().get(pk=change.staged_for_id)
    record_first_version(layer)
    if change.staged_change == ChangeKind.REPLACE:
        loading.delete_features(layer)
        Feature.objects.filter(layer=change).update(layer=layer)
        GeneralisedFeature.objects.filter(layer=change).update(layer=layer)
        for field in _DATA_FIELDS:
            setattr(layer, field, getattr(change, field))
        layer.status, layer.progress_stage, layer.progress_percent = LayerStatus.READY, LayerStatus.READY, 100
    else:
        # Appended features follow the layer's own in the attribute table (and keep their ids in the API unique).
        offset = (Feature.objects.filter(layer=layer).aggregate(last=Max("source_index"))["last"] or 0) + 1
        Feature.objects.filter(layer=change).update(layer=layer, source_index=F("source_index") + offset)
        GeneralisedFeature.objects.filter(layer=change).delete()
        loading.regeneralise(layer)  # which features a low zoom keeps depends on all of them
        loading.summarise_layer(layer)
    layer._history_user = by or change.created_by
    layer.save()
    version = _record_version(layer, change=change)
    change.delete()
    return version


def record_first_version(layer: Layer) -> LayerVersion | None:
    """Record what a layer holds as its first version, unless it has versions already or holds nothing."""
    if layer.status != LayerStatus.READY or layer.versions.exists():
        return None
    return LayerVersion.objects.create(
        layer=layer,
        number=1,
        kind=ChangeKind.FIRST,
        stored_file=layer.upload_file.name,
        file_name=layer.upload_name or (layer.report or {}).get("source_file", ""),
        feature_count=layer.feature_count,
        fields=layer.field_schema,
        extent=layer.extent,
        report=layer.report,
        uploaded_by=layer.created_by,
        created_at=layer.updated_at or timezone.now(),
    )


def _record_version(layer: Layer, *, change: Layer) -> LayerVersion:
    number = (layer.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    return LayerVersion.objects.create(
        layer=layer,
        number=number,
        kind=change.staged_change,
        stored_file=change.upload_file.name,
        file_name=change.upload_name,
        feature_count=layer.feature_count,
        fields=layer.field_schema,
        extent=layer.extent,
        report=change.report,
        uploaded_by=change.created_by,
        created_at=timezone.now(),
    )


@transaction.atomic
def publish_change(*, layer: Layer, by) -> LayerVersion:
    """A reviewer publishes the new version waiting for a published layer: the public sees it from now on."""
    if by is not OPERATOR:
        ensure_may_publish(by, layer)
    change = waiting_change(layer)
    if change is None:
        raise ValidationError(_("No new version of this layer waits to be published."))
    version = apply_change(change, by=None if by is OPERATOR else by)
    review_events.published.send(sender=Layer, record=layer, by=None if by is OPERATOR else by)
    return version


@transaction.atomic
def discard_change(*, layer: Layer, by) -> None:
    """Remove the layer's staged change (waiting or failed); the layer keeps its data."""
    ensure_may_change_data(by, layer)
    change = latest_change(layer)
    if change is None:
        raise ValidationError(_("This layer has no new version to discard."))
    if change.status in _RUNNING:
        raise ValidationError(_("The new file is still being imported; wait for it to finish."))
    _delete_change(change)


def _delete_change(change: Layer) -> None:
    loading.delete_features(change)
    change.delete()  # its stored upload goes with it (geodata/signals.py)
