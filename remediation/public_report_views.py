"""Pages of reports from the public: the form anyone may send about a published site, and the officers' list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from access.models import Role
from access.roles import working_countries
from remediation import public_reports, queries
from remediation.public_report_forms import HandlePublicReportForm, PublicReportFilterForm, PublicReportForm
from remediation.public_report_throttle import REPORTS_PER_HOUR, client_address, take_report_slot
from sites.queries import visible_sites

REPORTS_PER_PAGE = 25


def _published_site(request, site_id: int):
    """Reports are taken for published sites only; a draft is a 404, as on its page for the public."""
    return get_object_or_404(visible_sites(request.user).filter(is_published=True), pk=site_id)


@require_http_methods(["GET", "POST"])
def report_problem(request, site_id: int):
    site = _published_site(request, site_id)
    form = PublicReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not take_report_slot(client_address(request)):
            context = {"site": site, "limit": REPORTS_PER_HOUR}
            return render(request, "remediation/public_report_too_many.html", context, status=429)
        if not form.is_from_a_bot:
            data = public_reports.PublicReportData(**{name: form.cleaned_data[name] for name in form.Meta.fields})
            try:
                public_reports.receive_public_report(site=site, data=data)
            except ValidationError as error:
                form.add_error(None, error)
        if not form.errors:
            # A bot gets the same thanks as a person, so it cannot learn that it was caught.
            return redirect("public-reports:thanks", site_id=site.pk)
    status = 400 if form.errors else 200
    return render(request, "remediation/public_report_form.html", {"site": site, "form": form}, status=status)


@require_safe
def report_thanks(request, site_id: int):
    return render(request, "remediation/public_report_thanks.html", {"site": _published_site(request, site_id)})


@require_safe
@login_required
def public_report_list(request):
    countries = queries.public_report_countries(request.user)
    if not countries:
        raise PermissionDenied(_("Reports from the public are read by the environmental officers and reviewers."))
    form = PublicReportFilterForm(request.GET or None)
    reports = queries.visible_public_reports(request.user)
    if form.is_bound and not form.is_valid():
        return render(request, "remediation/public_reports.html", {"form": form, "page": None}, status=400)
    state = form.cleaned_data.get("state") if form.is_bound else ""
    if state:
        reports = reports.filter(state=state)
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "state": state,
        "handling_countries": working_countries(request.user, Role.ENVIRONMENTAL_OFFICER),
        "handle_form": HandlePublicReportForm(),
    }
    return render(request, "remediation/public_reports.html", context)


@require_POST
@login_required
def public_report_handle(request, pk: int):
    report = get_object_or_404(queries.visible_public_reports(request.user), pk=pk)
    form = HandlePublicReportForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            handled = public_reports.handle_public_report(
                report=report, by=request.user, state=form.cleaned_data["state"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The report is now “%(state)s”.") % {"state": handled.get_state_display()})
    return redirect(f"{reverse('remediation:public_reports')}#report-{report.pk}")
