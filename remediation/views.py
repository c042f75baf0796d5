"""Pages where officers record hazards, measures, visits and evidence, and reviewers publish them."""

import csv
import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from access import proposals, publishing
from access.visibility import draft_countries
from geodata.exports import csv_safe_row
from remediation import overview_report, queries, reports, review_queue, services
from remediation.evidence_pdf import PdfProblem
from remediation.forms import EvidenceForm, HazardForm, MeasureForm, MeasurementFormSet, ReportForm, VisitForm
from remediation.models import Evidence, Hazard, MonitoringVisit, RemediationMeasure, SiteRecord
from sites.models import MineSite
from sites.queries import visible_sites

DASHBOARD_ROWS = 100


@dataclass(frozen=True)
class Wording:
    """Whole sentences about one kind of record, so that translators never assemble them from a noun."""

    new: str
    edit: str
    delete: str
    saved: str
    deleted: str
    published: str
    unpublished: str


@dataclass(frozen=True)
class Kind:
    model: type
    form_class: type | None
    words: Wording
    anchor: str


KINDS = {
    "hazards": Kind(
        Hazard,
        HazardForm,
        Wording(
            new=_("New hazard"),
            edit=_("Edit hazard"),
            delete=_("Delete hazard"),
            saved=_("The hazard was saved as a draft; a reviewer will publish it."),
            deleted=_("The hazard was deleted."),
            published=_("The hazard is now published."),
            unpublished=_("The hazard is now a draft."),
        ),
        "hazards",
    ),
    "measures": Kind(
        RemediationMeasure,
        MeasureForm,
        Wording(
            new=_("New remediation measure"),
            edit=_("Edit remediation measure"),
            delete=_("Delete remediation measure"),
            saved=_("The remediation measure was saved as a draft; a reviewer will publish it."),
            deleted=_("The remediation measure was deleted."),
            published=_("The remediation measure is now published."),
            unpublished=_("The remediation measure is now a draft."),
        ),
        "measures",
    ),
    "visits": Kind(
        MonitoringVisit,
        VisitForm,
        Wording(
            new=_("New monitoring visit"),
            edit=_("Edit monitoring visit"),
            delete=_("Delete monitoring visit"),
            saved=_("The monitoring visit was saved as a draft; a reviewer will publish it."),
            deleted=_("The monitoring visit was deleted."),
            published=_("The monitoring visit is now published."),
            unpublished=_("The monitoring visit is now a draft."),
        ),
        "visits",
    ),
    "evidence": Kind(
        Evidence,
        None,
        Wording(
            new=_("New evidence"),
            edit=_("Edit evidence"),
            delete=_("Delete evidence"),
            saved=_("The evidence was saved as a draft; a reviewer will publish it."),
            deleted=_("The evidence was deleted."),
            published=_("The evidence is now published."),
            unpublished=_("The evidence is now a draft."),
        ),
        "evidence",
    ),
}


def _kind(name: str) -> Kind:
    if name not in KINDS:
        raise Http404(gettext("No such kind of record."))
    return KINDS[name]


def _back_to_site(record_or_site, anchor: str):
    site = record_or_site if isinstance(record_or_site, MineSite) else record_or_site.site
    return redirect(f"{site.get_absolute_url()}#{anchor}")


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's error on the field it names, or on the form when the form has no such field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _measurements(formset) -> list[services.MeasurementData]:
    return [
        services.MeasurementData(
            parameter=form.cleaned_data["parameter"],
            value=form.cleaned_data["value"],
            unit=form.cleaned_data["unit"],
            parameter_detail=form.cleaned_data["parameter_detail"],
        )
        for form in formset
        if form.cleaned_data and not form.is_blank
    ]


def _edit(request, kind: Kind, record):
    """The one form page for creating and changing hazards, measures and visits."""
    services.ensure_may_record(request.user, record.site)
    form = kind.form_class(request.POST or None, instance=record)
    formset = None
    if kind.model is MonitoringVisit:
        initial = [
            {"parameter": m.parameter, "parameter_detail": m.parameter_detail, "value": m.value, "unit": m.unit}
            for m in (record.measurements.all() if record.pk else [])
        ]
        formset = MeasurementFormSet(request.POST or None, initial=initial, prefix="readings")
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        try:
            with transaction.atomic():
                if formset is not None:
                    if not record.pk:
                        record.officer = request.user
                    services.save_visit(form.instance, by=request.user, measurements=_measurements(formset))
                else:
                    hazards = list(form.cleaned_data["hazards"]) if "hazards" in form.fields else None
                    services.save_record(form.instance, by=request.user, hazards=hazards)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            held = getattr(form.instance, "held_change", None)
            messages.success(request, proposals.waits_message(held) if held is not None else kind.words.saved)
            return _back_to_site(record, kind.anchor)
    context = {"form": form, "formset": formset, "kind": kind, "record": record, "site": record.site}
    status = 400 if request.method == "POST" else 200
    return render(request, "remediation/form.html", context, status=status)


@login_required
def record_create(request, site_id: int, kind: str):
    kind = _kind(kind)
    if kind.form_class is None:
        return redirect("remediation:evidence_create", site_id=site_id)
    site = get_object_or_404(visible_sites(request.user), pk=site_id)
    return _edit(request, kind, kind.model(site=site))


@login_required
def record_edit(request, kind: str, pk: int):
    kind = _kind(kind)
    if kind.form_class is None:
        raise Http404(gettext("Evidence is replaced, not edited: delete it and upload again."))
    return _edit(request, kind, get_object_or_404(kind.model.objects.select_related("site"), pk=pk))


@login_required
def record_delete(request, kind: str, pk: int):
    kind = _kind(kind)
    record = get_object_or_404(kind.model.objects.select_related("site"), pk=pk)
    services.ensure_may_record(request.user, record.site)
    if request.method == "POST":
        try:
            if kind.model is Evidence:
                services.delete_evidence(record, by=request.user)
            else:
                services.delete_record(record, by=request.user)
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
            return _back_to_site(record, kind.anchor)
        messages.success(request, kind.words.deleted)
        return _back_to_site(record, kind.anchor)
    return render(request, "remediation/confirm_delete.html", {"record": record, "kind": kind})


@require_POST
@login_required
def record_publish(request, kind: str, pk: int):
    kind = _kind(kind)
    record = get_object_or_404(kind.model.objects.select_related("site"), pk=pk)
    publish = request.POST.get("action", "publish") == "publish"
    publishing.publish(record, by=request.user, published=publish)
    messages.success(request, kind.words.published if publish else kind.words.unpublished)
    return _back_to_site(record, kind.anchor)


@require_POST
@login_required
def hazard_approve_priority(request, pk: int):
    hazard = get_object_or_404(Hazard.objects.select_related("site"), pk=pk)
    services.approve_priority(hazard, by=request.user)
    messages.success(request, gettext("The hazard's priority is approved."))
    return _back_to_site(hazard, "hazards")


@require_POST
@login_required
def measure_sign_off(request, pk: int):
    measure = get_object_or_404(RemediationMeasure.objects.select_related("site"), pk=pk)
    try:
        services.sign_off_measure(measure, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("The measure is signed off."))
    return _back_to_site(measure, "measures")


@login_required
def evidence_create(request, site_id: int):
    site = get_object_or_404(visible_sites(request.user), pk=site_id)
    services.ensure_may_record(request.user, site)
    form = EvidenceForm(
        request.POST or None, request.FILES or None, site=site, initial={"attached_to": request.GET.get("to", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_evidence(
                by=request.user,
                attached_to=form.cleaned_data["attached_to"],
                upload=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
                pair_role=form.cleaned_data["pair_role"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, KINDS["evidence"].words.saved)
            return _back_to_site(site, "evidence")
    context = {"form": form, "kind": KINDS["evidence"], "record": None, "site": site, "multipart": True}
    return render(request, "remediation/form.html", context, status=400 if request.method == "POST" else 200)


@require_GET
def evidence_file(request, pk: int, variant: str = "file"):
    """Evidence files go through this check, never straight from MEDIA_ROOT: drafts stay private."""
    evidence = get_object_or_404(queries.visible_evidence(request.user).select_related("site"), pk=pk)
    stored = evidence.thumbnail if variant == "thumbnail" else evidence.file
    if not stored:
        raise Http404(gettext("No such file."))
    content_type = "image/webp" if variant == "thumbnail" else evidence.content_type
    if variant == "file" and not queries.show_people(request.user, evidence.site):
        try:
            stored = services.public_copy(evidence)
        except PdfProblem:  # kept before uploads were read by a PDF parser, and unreadable by it
            raise Http404(gettext("This document cannot be offered without its metadata.")) from None
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=300" if not evidence.is_published else "public, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def treated_areas(request, site_id: int):
    site = get_object_or_404(visible_sites(request.user), pk=site_id)
    return JsonResponse(queries.treated_areas_geojson(request.user, site=site))


@require_safe
@login_required
def dashboard(request):
    if not draft_countries(request.user, SiteRecord):
        raise PermissionDenied(gettext("The dashboard is for environmental officers and reviewers."))
    today = datetime.date.today()
    in_progress = queries.measures_in_progress(request.user)
    overdue = queries.overdue_visits(request.user, today)
    context = {
        "in_progress": in_progress[:DASHBOARD_ROWS],
        "in_progress_count": in_progress.count(),
        "overdue": overdue[:DASHBOARD_ROWS],
        "overdue_count": overdue.count(),
        "drafts": queries.drafts_awaiting_review(request.user, limit=DASHBOARD_ROWS),
        # Every kind that waits for a reviewer (imported sites, layers...), counted, with the queue a click away.
        "waiting": [entry for entry in review_queue.drafts_waiting(request.user) if entry.count],
        "public_reports_new": queries.count_new_public_reports(queries.public_report_countries(request.user)),
        "today": today,
        "rows": DASHBOARD_ROWS,
    }
    return render(request, "remediation/dashboard.html", context)


@require_safe
def progress_report(request):
    """The yearly progress report, as a page with charts or (?format=csv) as a download."""
    form = ReportForm(request.GET or None)
    if request.GET and not form.is_valid():
        context = {"form": form, "error": form.error_text()}
        return render(request, "remediation/report.html", context, status=400)
    country = form.cleaned_data.get("country", "") if form.is_bound else ""
    year = (form.cleaned_data.get("year") if form.is_bound else None) or datetime.date.today().year
    table = form.cleaned_data.get("table", "") if form.is_bound else ""
    if request.GET.get("format") == "csv":
        if table:
            rows, name = overview_report.overview(country=country).csv_tables()[table], f"{table}-{country or 'all'}"
        else:
            rows, name = (
                reports.progress_report(country=country, year=year).csv_rows(),
                f"remediation-{country or 'all'}-{year}",
            )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        csv.writer(response).writerows(csv_safe_row(row) for row in rows)
        return response
    context = {
        "form": form,
        "report": reports.progress_report(country=country, year=year),
        "overview": overview_report.overview(country=country),
        "years": reports.report_years(),
        "query": request.GET.urlencode(),
        "country_query": f"country={country}&" if country else "",
    }
    return render(request, "remediation/report.html", context)
