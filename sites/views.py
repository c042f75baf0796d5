"""Public pages for sites: the map, the list and one site."""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode

from geodata import maps, tiles
from geodata.queries import reference_overlays
from sites import queries
from sites.forms import SiteFilterForm
from sites.history import recent_changes
from sites.models import STATUS_COLOURS, SiteStatus

SITES_PER_PAGE = 50


def _legend():
    return [(label, STATUS_COLOURS[value]) for value, label in SiteStatus.choices]


def _bad_filters(request, form, template):
    return render(request, template, {"form": form, "error": form.error_text(), "legend": _legend()}, status=400)


def public_map(request):
    form = SiteFilterForm(request.GET, with_search=False)
    if not form.is_valid():
        return _bad_filters(request, form, "sites/map.html")
    filters = form.active_filters()
    tile_url = tiles.url_template("tiles:sites") + (f"?{urlencode(filters)}" if filters else "")
    summary_url = reverse("sites:summary", args=[0]).replace("/0.json", "/{id}.json")
    context = {
        "form": form,
        "map": maps.public_map(tile_url, summary_url, reference_overlays()),
        "site_count": tiles.site_count(include_drafts=queries.may_see_drafts(request.user), **filters),
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
    context = {
        "site": site,
        "map": maps.site_map(site, reference_overlays(show=False)),
        "estimates": site.resource_estimates.all(),
        "changes": recent_changes(site, show_users=queries.may_see_drafts(request.user)),
    }
    return render(request, "sites/detail.html", context)


def site_summary(request, pk):
    """What a click on the map shows about one site."""
    site = get_object_or_404(queries.visible_sites(request.user), pk=pk)
    return JsonResponse(
        {
            "id": site.pk,
            "name": site.name,
            "status": site.status,
            "status_label": str(site.get_status_display()),
            "country": str(site.get_country_display()),
            "commodities": site.get_commodities_display(),
            "url": site.get_absolute_url(),
        }
    )
