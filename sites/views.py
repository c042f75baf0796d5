"""Public pages for sites: the map, the list and one site."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from geodata import maps
from geodata.maps import Overlay
from geodata.queries import reference_overlays
from remediation import queries as remediation_queries
from sites import queries
from sites.forms import AsOfForm, SiteFilterForm
from sites.history import recent_changes
from sites.models import STATUS_COLOURS, SiteStatus
from sites.permissions import may_publish_records, may_record_remediation

SITES_PER_PAGE = 50


def _legend():
    return [(label, STATUS_COLOURS[value]) for value, label in SiteStatus.choices]


def _bad_filters(request, form, template):
    return render(request, template, {"form": form, "error": form.error_text(), "legend": _legend()}, status=400)


def public_map(request):
    form = SiteFilterForm(request.GET, with_search=False)
    if not form.is_valid():
        return _bad_filters(request, form, "sites/map.html")
    sites = queries.filtered_sites(queries.visible_sites(request.user), **form.filters())
    sites = sites.select_related(None).only("id", "name", "status", "commodities", "location")
    context = {
        "form": form,
        "map": maps.public_map(sites, reference_overlays()),
        "site_count": len(sites),
        "legend": _legend(),
    }
    return render(request, "sites/map.html", context)


def site_list(request):
    form = SiteFilterForm(request.GET)
    if not form.is_valid():
        return _bad_filters(request, form, "sites/list.html")
    sites = queries.filtered_sites(queries.visible_sites(request.user), **form.filters())
    page = Paginator(sites, SITES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "legend": _legend()}
    return render(request, "sites/list.html", context)


def site_detail(request, pk):
    site = get_object_or_404(queries.visible_sites(request.user), pk=pk)
    as_of_form = AsOfForm(request.GET)
    if as_of_form.is_valid() and as_of_form.cleaned_data["as_of"]:
        remediation = remediation_queries.site_remediation_as_of(site, request.user, as_of_form.end_of_day())
    else:
        remediation = remediation_queries.site_remediation(site, request.user)
    treated = Overlay("Treated areas", reverse("remediation:treated_areas", args=[site.pk]), "#1a9850", 2, 0.3)
    context = {
        "site": site,
        "map": maps.site_map(site, [*reference_overlays(show=False), treated]),
        "estimates": site.resource_estimates.all(),
        "changes": recent_changes(site, show_users=queries.may_see_drafts(request.user)),
        "remediation": remediation,
        "timeline": remediation_queries.remediation_timeline(site, request.user),
        "may_record": may_record_remediation(request.user, site.country),
        "may_publish": may_publish_records(request.user, site.country),
        "as_of_text": request.GET.get("as_of", ""),
        "as_of_error": as_of_form.error_text() if as_of_form.errors else "",
    }
    return render(request, "sites/detail.html", context, status=400 if as_of_form.errors else 200)
