"""The data-quality page of a country, and the reviewers' two ways to resolve a flag: dismiss it, or merge two sites."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from access.models import Country
from sites import flag_queries, merging, quality
from sites.quality_forms import DismissFlagForm, MergeSitesForm, QualityCountryForm, error_text
from sites.queries import visible_sites
from sites.stewardship import ensure_may_resolve_flags, may_resolve_flags, quality_countries


def _quality_page_of(country: str) -> str:
    return reverse("sites:quality") + "?" + urlencode({"country": country})


@require_safe
@login_required
def quality_page(request):
    """Per check, how many of the country's sites it flags and a page of them, with the ways to resolve each."""
    countries = quality_countries(request.user)
    if not countries:
        raise PermissionDenied(_("The data-quality page is for people with a role in a country."))
    form = QualityCountryForm(request.GET, countries=countries)
    if not form.is_valid():
        context = {"form": form, "error": error_text(form)}
        return render(request, "sites/quality.html", context, status=400)
    country = form.chosen_country()
    context = {
        "form": form,
        "country": country,
        "country_label": Country(country).label,
        "sections": flag_queries.quality_sections(request.user, country, request.GET),
        "may_resolve": may_resolve_flags(request.user, country),
    }
    return render(request, "sites/quality.html", context)


@require_POST
@login_required
def dismiss_flag(request, pk):
    site = get_object_or_404(visible_sites(request.user), pk=pk)
    ensure_may_resolve_flags(request.user, site.country)
    form = DismissFlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect(_quality_page_of(site.country))
    try:
        dismissal = quality.dismiss_flag(
            site=site, flag=form.cleaned_data["flag"], reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("“%(flag)s” dismissed for “%(name)s”.") % {"flag": dismissal.get_flag_display(), "name": site.name},
        )
    return redirect(_quality_page_of(site.country))


@require_POST
@login_required
def merge_sites(request):
    form = MergeSitesForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect("sites:quality")
    sites = visible_sites(request.user)
    survivor = get_object_or_404(sites, pk=form.cleaned_data["survivor"])
    removed = get_object_or_404(sites, pk=form.cleaned_data["removed"])
    try:
        result = merging.merge_sites(survivor=survivor, removed=removed, by=request.user)
    except merging.MergeError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("“%(removed)s” (#%(removed_id)s) was merged into “%(survivor)s”.")
            % {"removed": result.removed_name, "removed_id": result.removed_id, "survivor": result.survivor.name},
        )
    return redirect(_quality_page_of(survivor.country))
