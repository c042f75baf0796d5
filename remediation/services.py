"""Write paths for what environmental officers record: the only code that changes these records.

Publishing goes through access.publishing, as for every kind of record.
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from access import proposals, review_events
from access.roles import may_record_remediation
from access.visibility import ensure_may_publish
from remediation.evidence_files import InspectedFile, make_thumbnail, public_copy_of
from remediation.evidence_pdf import PdfProblem
from remediation.models import (
    DONE_STAGES,
    Evidence,
    EvidenceKind,
    Hazard,
    Measurement,
    MonitoringVisit,
    RemediationMeasure,
    may_change_stage,
)
from sites.models import MineSite

AnySiteRecord = Hazard | RemediationMeasure | MonitoringVisit | Evidence


@dataclass(frozen=True)
class MeasurementData:
    parameter: str
    value: Decimal
    unit: str
    parameter_detail: str = ""


def ensure_may_record(user, site: MineSite) -> None:
    if not may_record_remediation(user, site.country):
        raise PermissionDenied(
            gettext("Only environmental officers of %(country)s may record this.")
            % {"country": site.get_country_display()}
        )


def _check_change(record: AnySiteRecord, by) -> None:
    """A changed record must stay within a country the officer records for, and follow the stage graph."""
    stored = type(record).objects.select_related("site").select_for_update().get(pk=record.pk)
    ensure_may_record(by, stored.site)
    if isinstance(record, RemediationMeasure) and not may_change_stage(stored.stage, record.stage):
        raise ValidationError(
            {
                "stage": gettext("A measure cannot go from “%(before)s” to “%(after)s”.")
                % {"before": stored.get_stage_display(), "after": record.get_stage_display()}
            }
        )


@transaction.atomic
def save_record(record: AnySiteRecord, *, by, hazards: list[Hazard] | None = None) -> AnySiteRecord:
    """Create or change a hazard, measure, visit or evidence; any change goes back to draft for review.

    A published record changed by an officer who does not review its country stays as published:
    the change is held for review (access.proposals), and the returned record carries it as `held_change`.
    """
    ensure_may_record(by, record.site)
    is_new = not record.pk
    if record.pk:
        _check_change(record, by)
    else:
        record.created_by = by
    if hazards is not None and any(hazard.site_id != record.site_id for hazard in hazards):
        raise ValidationError({"hazards": gettext("Pick hazards of this site only.")})
    if proposals.needs_review(record, by):
        record.full_clean()
        related = {"hazards": [hazard.pk for hazard in hazards]} if hazards is not None else None
        record.held_change = proposals.hold(record, by=by, related=related)
        return record
    record.is_published = False
    record.full_clean()
    record._history_user = by
    record.save()
    if hazards is not None:
        record.hazards.set(hazards)
    if is_new:
        review_events.review_requested.send(sender=type(record), record=record, by=by)
    return record


@transaction.atomic
def save_visit(visit: MonitoringVisit, *, by, measurements: list[MeasurementData] | None) -> MonitoringVisit:
    """Record a visit with its readings; the readings given replace the ones stored (None keeps them)."""
    save_record(visit, by=by)
    if measurements is None:
        return visit
    if getattr(visit, "held_change", None) is not None or proposals.needs_review(visit, by):
        # Readings are not part of a proposed change: on a published visit they wait for a reviewer.
        stored = sorted((m.parameter, m.parameter_detail, m.value, m.unit) for m in visit.measurements.all())
        given = sorted((m.parameter, m.parameter_detail, m.value, m.unit) for m in measurements)
        if stored != given:
            raise ValidationError(
                gettext("The readings of a published visit are changed by a reviewer of its country; ask one to do it.")
            )
        return visit
    visit.measurements.all().delete()
    for data in measurements:
        measurement = Measurement(visit=visit, **data.__dict__)
        measurement.full_clean()
        measurement._history_user = by
        measurement.save()
    return visit


@transaction.atomic
def delete_record(record: AnySiteRecord, *, by) -> None:
    """Officers delete drafts of their country; a published record must be unpublished by a reviewer first."""
    ensure_may_record(by, record.site)
    if record.is_published:
        raise PermissionDenied(
            gettext("This record is published; a reviewer must unpublish it before it can be deleted.")
        )
    record._history_user = by
    record.delete()


@transaction.atomic
def approve_priority(hazard: Hazard, *, by) -> Hazard:
    """A reviewer confirms the priority an officer estimated (until then it shows as estimated)."""
    ensure_may_publish(by, hazard)
    hazard.priority_is_approved = True
    hazard.priority_approved_by = by
    hazard.priority_approved_at = timezone.now()
    hazard._history_user = by
    hazard.save(update_fields=["priority_is_approved", "priority_approved_by", "priority_approved_at", "updated_at"])
    return hazard


@transaction.atomic
def sign_off_measure(measure: RemediationMeasure, *, by) -> RemediationMeasure:
    """A reviewer signs off a finished measure against its closure criteria."""
    ensure_may_publish(by, measure)
    if not measure.actual_end or measure.stage not in DONE_STAGES:
        raise ValidationError(gettext("Only a completed measure, with the date its works ended, can be signed off."))
    measure.signed_off_by = by
    measure.signed_off_at = timezone.now()
    measure._history_user = by
    measure.save(update_fields=["signed_off_by", "signed_off_at", "updated_at"])
    return measure


@transaction.atomic
def add_evidence(
    *,
    by,
    attached_to: Hazard | RemediationMeasure | MonitoringVisit,
    upload: InspectedFile,
    caption: str,
    pair_role: str = "",
) -> Evidence:
    """Attach a checked photo or PDF to a hazard, measure or visit, with a thumbnail for photos."""
    site = attached_to.site
    ensure_may_record(by, site)
    evidence = Evidence(
        site=site,
        kind=upload.kind,
        content_type=upload.content_type,
        size_bytes=upload.size_bytes,
        original_name=upload.name[:255],
        caption=caption,
        pair_role=pair_role,
        taken_at=upload.taken_at,
        taken_location=upload.taken_location,
        created_by=by,
    )
    if isinstance(attached_to, Hazard):
        evidence.hazard = attached_to
    elif isinstance(attached_to, RemediationMeasure):
        evidence.measure = attached_to
    else:
        evidence.visit = attached_to
    evidence.full_clean(exclude=["file", "thumbnail"])
    evidence.file.save(f"evidence{upload.extension}", upload.file, save=False)
    try:
        if upload.kind == EvidenceKind.PHOTO:
            evidence.thumbnail.save("thumbnail.webp", make_thumbnail(upload), save=False)
        try:
            public = public_copy_of(upload.kind, upload.file)
        except PdfProblem:
            pass  # checked, but the parser cannot rewrite it: it is kept from the public (see public_copy)
        else:
            evidence.public_file.save(f"public{upload.extension}", ContentFile(public), save=False)
        evidence._history_user = by
        evidence.save()
    except Exception:
        # Leave no stored file behind a record that was never written.
        for stored in (evidence.file, evidence.thumbnail, evidence.public_file):
            if stored:
                stored.delete(save=False)
        raise
    review_events.review_requested.send(sender=Evidence, record=evidence, by=by)
    return evidence


def public_copy(evidence: Evidence):
    """The stored copy without metadata that readers outside the site's country get, made once.

    Made when the evidence is added; evidence kept from before then gets it the first time it is
    served. Raises PdfProblem for a stored PDF the parser cannot rewrite.
    """
    if evidence.public_file:
        return evidence.public_file
    with evidence.file.open("rb") as original:
        content = public_copy_of(evidence.kind, original)
    evidence.public_file.save(f"public{Path(evidence.file.name).suffix}", ContentFile(content), save=False)
    # Derived data, not an edit: no history row, no new updated_at. Two first readers at once keep one copy.
    if not Evidence.objects.filter(pk=evidence.pk, public_file="").update(public_file=evidence.public_file.name):
        evidence.public_file.delete(save=False)
        evidence.refresh_from_db(fields=["public_file"])
    return evidence.public_file


@transaction.atomic
def delete_evidence(evidence: Evidence, *, by) -> None:
    """Delete a draft piece of evidence; its files go once the deletion is committed (remediation.signals)."""
    delete_record(evidence, by=by)
