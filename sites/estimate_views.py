"""Pages to record a site's resource and reserve estimates (survey uploaders of the site's country)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from access import proposals
from access.publishing import publish
from sites import queries, services
from sites.forms import ResourceEstimateForm
from sites.models import ResourceEstimate


def _site_for(request, pk):
    site = get_object_or_404(queries.visible_sites(request.user), pk=pk)
    services.ensure_may_edit_site(request.user, site.country)
    return site


@login_required
def estimate_edit(request, pk, estimate_pk=None):
    site = _site_for(request, pk)
    estimate = (
        get_object_or_404(site.resource_estimates, pk=estimate_pk) if estimate_pk else ResourceEstimate(site=site)
    )
    form = ResourceEstimateForm(request.POST or None, instance=estimate)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_estimate(estimate=form.save(commit=False), by=request.user)
        except ValidationError as error:  # another person's change to it waits for review
            form.add_error(None, error.messages)
            context = {"site": site, "form": form, "estimate": estimate}
            return render(request, "sites/estimate_form.html", context, status=400)
        held = getattr(saved, "held_change", None)
        if held is not None:
            messages.success(request, proposals.waits_message(held))
        else:
            saved_text = f"Saved: {estimate.get_category_display()} of {estimate.get_commodity_display()}."
            messages.success(request, saved_text)
        return redirect(site)
    context = {"site": site, "form": form, "estimate": estimate}
    return render(request, "sites/estimate_form.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def estimate_delete(request, pk, estimate_pk):
    site = _site_for(request, pk)
    estimate = get_object_or_404(site.resource_estimates, pk=estimate_pk)
    services.delete_estimate(estimate=estimate, by=request.user)
    messages.success(request, gettext("The estimate was deleted; its history is kept."))
    return redirect(site)


@require_POST
@login_required
def estimate_publish(request, pk, estimate_pk):
    """Publish or withdraw an estimate (reviewers of the site's country, through the one publish service)."""
    site = get_object_or_404(queries.visible_sites(request.user), pk=pk)
    estimate = get_object_or_404(site.resource_estimates, pk=estimate_pk)
    published = request.POST.get("action") != "withdraw"
    try:
        publish(estimate, by=request.user, published=published)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, gettext("The estimate was published.") if published else gettext("The estimate was withdrawn.")
        )
    return redirect(site)
