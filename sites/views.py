"""Pages for sites: the public map, the list, one site, and the inventory import for survey uploaders."""

import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from config.api import error_body
from geodata import downloads, exports, maps, tiles
from geodata.errors import IngestError
from geodata.maps import Overlay, TileSource
from geodata.queries import reference_overlays
from remediation import queries as remediation_queries
from remediation.models import PROGRESS_COLOURS, STAGE_COLOURS, MeasureStage, RemediationProgress
from sites import exports as site_exports
from sites import listing, queries
from sites.filters import SiteFilter
from sites.forms import AsOfForm, MapOptionsForm, SiteFilterForm, SiteInventoryForm
from sites.history import recent_changes
from sites.imports import import_sites
from sites.models import PRIORITY_COLOURS, STATUS_COLOURS, HazardPriority, Role, SiteStatus
from sites.permissions import countries_with_role, may_publish_records, may_record_remediation, may_upload_survey


def _legend(colours=STATUS_COLOURS, vocabulary=SiteStatus):
    return [(label, colours[value]) for value, label in vocabulary.choices]


def _overlay_legends():
    """What the colours of the tile overlays mean; shown under the sites' legend."""
    return [
        ("Remediation areas (stage)", _legend(STAGE_COLOURS, MeasureStage)),
        (
            "Hazards (priority; a dashed ring is placed only to about 1 km)",
            _legend(PRIORITY_COLOURS, HazardPriority),
        ),
    ]


def _tile_source(tiles_name: str, feature_name: str) -> TileSource:
    identify = reverse(feature_name, args=[0]).replace("/0.json", "/{id}.json")
    return TileSource(tiles=tiles.url_template(tiles_name), identify=identify)


def _bad_filters(request, form, template):
    return render(request, template, {"form": form, "error": form.error_text(), "legend": _legend()}, status=400)


# The filters of the map and list pages that their download links carry (not the list's text search).
SITE_PAGE_FILTERS = ("country", "status", "commodity")
# The labels of the download links, per export format.
DOWNLOAD_LABELS = {"gpkg": "GeoPackage", "shp.zip": "Shapefile (zip)", "geojson": "GeoJSON", "csv": "CSV"}


# The formats offered for footprints on the pages (the CSV would hold them as long WKT text).
FOOTPRINT_FORMATS = ("gpkg", "shp.zip", "geojson")


def _download_links(request, **fixed) -> list[tuple[str, str]]:
    """Links to the site downloads with the page's country, status and commodity filters."""
    formats = FOOTPRINT_FORMATS if fixed.get("geometry") == "footprint" else DOWNLOAD_LABELS
    return [
        (DOWNLOAD_LABELS[file_format], site_exports.export_url(request, file_format, SITE_PAGE_FILTERS, **fixed))
        for file_format in formats
    ]


def public_map(request):
    """The map of sites with its filters and colouring in the URL (?status=closed&colour=remediation)."""
    form = MapOptionsForm(request.GET)
    if not form.is_valid():
        return _bad_filters(request, form, "sites/map.html")
    options = form.active_filters()  # the site tiles take the colour too: it adds the attribute they need
    tile_url = tiles.url_template("tiles:sites") + (f"?{urlencode(options)}" if options else "")
    summary_url = reverse("sites:summary", args=[0]).replace("/0.json", "/{id}.json")
    by_remediation = form.cleaned_data["colour"] == MapOptionsForm.BY_REMEDIATION
    site_map = maps.public_map(
        tile_url,
        summary_url,
        reference_overlays(),
        colour_by_remediation=by_remediation,
        remediation=_tile_source("tiles:remediation", "tiles:remediation-feature"),
        hazards=_tile_source("tiles:hazards", "tiles:hazard-feature"),
    )
    context = {
        "form": form,
        "map": site_map,
        "site_count": tiles.site_count(include_drafts=queries.may_see_drafts(request.user), **form.site_filters()),
        "legend": _legend(PROGRESS_COLOURS, RemediationProgress) if by_remediation else _legend(),
        "legend_title": "Remediation progress" if by_remediation else "Site status",
        "overlay_legends": _overlay_legends(),
        "downloads": _download_links(request),
    }
    return render(request, "sites/map.html", context)


def site_list(request):
    form = SiteFilterForm(request.GET)
    if not form.is_valid():
        return _bad_filters(request, form, "sites/list.html")
    page = listing.site_list_page(request.user, form.filters(), request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "legend": _legend(),
        "may_import": bool(countries_with_role(request.user, Role.SURVEY_UPLOADER)),
        "downloads": _download_links(request),
        "footprint_downloads": _download_links(request, geometry="footprint"),
        "downloads_note": "the search does not apply" if form.cleaned_data.get("q") else "",
    }
    return render(request, "sites/list.html", context)


@require_GET
def site_export(request, file_format):
    """The sites this requester may see, filtered as the API filters them, in a GIS format or as metadata JSON."""
    if file_format not in exports.FORMATS and file_format != exports.METADATA_FORMAT:
        raise Http404("Unknown download format.")
    filterset = SiteFilter(request.GET, queryset=queries.visible_sites(request.user))
    if not filterset.is_valid():
        return JsonResponse(error_body(filterset.errors), status=400)
    geometry = request.GET.get("geometry") or "location"
    if geometry not in site_exports.GEOMETRIES:
        message = f"“{geometry}” is not a geometry of the sites; choose location (their points) or footprint."
        return JsonResponse(error_body({"geometry": [message]}), status=400)
    sites = filterset.qs
    filters = {name: request.GET[name] for name in [*filterset.filters, "geometry"] if request.GET.get(name)}
    metadata = site_exports.site_metadata(
        sites,
        filters=filters,
        registry_url=request.build_absolute_uri(reverse("sites:list")),
        query_url=request.build_absolute_uri(),
        geometry=geometry,
    )
    query = site_exports.site_query(sites, metadata=metadata, geometry=geometry)
    if file_format == exports.METADATA_FORMAT:
        return downloads.metadata_response(query)
    metadata_url = site_exports.export_url(request, exports.METADATA_FORMAT)
    return downloads.export_response(query, file_format, metadata_url=metadata_url)


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
        "may_record_estimates": may_upload_survey(request.user, site.country),
        "changes": recent_changes(site, show_users=queries.may_see_drafts(request.user)),
        "remediation": remediation,
        "timeline": remediation_queries.remediation_timeline(site, request.user),
        "may_record": may_record_remediation(request.user, site.country),
        "may_publish": may_publish_records(request.user, site.country),
        "as_of_text": request.GET.get("as_of", ""),
        "as_of_error": as_of_form.error_text() if as_of_form.errors else "",
    }
    return render(request, "sites/detail.html", context, status=400 if as_of_form.errors else 200)


@login_required
def site_import(request):
    countries = countries_with_role(request.user, Role.SURVEY_UPLOADER)
    if not countries:
        raise PermissionDenied("Importing site inventories needs the survey-uploader role for a country.")
    form = SiteInventoryForm(request.POST or None, request.FILES or None)
    context = {"form": form, "countries": sorted(countries)}
    if request.method != "POST" or not form.is_valid():
        return render(request, "sites/import.html", context, status=400 if form.errors else 200)
    upload = form.cleaned_data["file"]
    try:
        with tempfile.TemporaryDirectory(prefix="inventory-") as folder:
            path = Path(folder) / f"upload{Path(upload.name).suffix.lower()}"
            with path.open("wb") as stored:
                for chunk in upload.chunks():
                    stored.write(chunk)
            context["report"] = import_sites(
                path,
                original_name=upload.name,
                source_name=form.cleaned_data["source"],
                column_map=form.cleaned_data["column_map"],
                srid=form.cleaned_data["srid"],
                encoding=form.cleaned_data["encoding"] or None,
                user=request.user,
                allowed_countries=countries,
            )
    except IngestError as error:
        context["error"] = " ".join(error.messages)
        return render(request, "sites/import.html", context, status=400)
    return render(request, "sites/import.html", context)


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
