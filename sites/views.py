"""Pages for sites: the public map, the list, one site, and the inventory import for survey uploaders."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_safe

from access import proposals
from access.models import Role
from access.publishing import latest_send_back
from access.roles import countries_with_role, may_upload_survey
from access.visibility import may_publish, visible
from geodata import downloads, exports, maps
from geodata import tiles as tile_engine
from geodata.queries import reference_overlays
from geodata.rest import error_body
from sites import contributions, listing, queries, tiles
from sites import exports as site_exports
from sites.filters import SiteFilter
from sites.forms import AsOfForm, MapOptionsForm, SiteFilterForm, SiteInventoryForm
from sites.history import may_see_change_details, recent_changes, site_as_of
from sites.imports import start_inventory_import
from sites.models import STATUS_COLOURS, InventoryImport, SiteStatus


def _status_legend():
    return [(label, STATUS_COLOURS[value]) for value, label in SiteStatus.choices]


def _bad_filters(request, form, template):
    return render(request, template, {"form": form, "error": form.error_text(), "legend": _status_legend()}, status=400)


# The filters of the map and list pages that their download links carry (not the list's text search).
SITE_PAGE_FILTERS = (
    "country",
    "status",
    "commodity",
    "flag",
    "responsible_party_kind",
    "licence_type",
    "licence_expired",
)
# The labels of the download links, per export format.
DOWNLOAD_LABELS = {"gpkg": "GeoPackage", "shp.zip": _("Shapefile (zip)"), "geojson": "GeoJSON", "csv": "CSV"}


# The formats offered for footprints on the pages (the CSV would hold them as long WKT text).
FOOTPRINT_FORMATS = ("gpkg", "shp.zip", "geojson")


def _download_links(request, **fixed) -> list[tuple[str, str]]:
    """Links to the site downloads with the page's country, status and commodity filters."""
    formats = FOOTPRINT_FORMATS if fixed.get("geometry") == "footprint" else DOWNLOAD_LABELS
    return [
        (DOWNLOAD_LABELS[file_format], site_exports.export_url(request, file_format, SITE_PAGE_FILTERS, **fixed))
        for file_format in formats
    ]


@require_safe
def public_map(request):
    """The map of sites with its filters and colouring in the URL (?status=closed&colour=remediation)."""
    form = MapOptionsForm(request.GET)
    if not form.is_valid():
        return _bad_filters(request, form, "sites/map.html")
    options = form.active_filters()  # the site tiles take the colour too: it adds the attribute they need
    colouring = contributions.colouring(form.cleaned_data["colour"])
    if colouring:
        style = maps.style_call("RegistryTiles.siteStyle", colouring.colours, maps.CLUSTER_COLOUR, colouring.name)
    else:
        style = maps.style_call(
            "RegistryTiles.siteStyle", maps.colour_codes(STATUS_COLOURS), maps.CLUSTER_COLOUR, "status"
        )
    sites = maps.TileOverlay(
        name=gettext("Mine sites"),
        tiles=tile_engine.url_template("tiles:sites") + (f"?{urlencode(options)}" if options else ""),
        tile_layer=tiles.SITES_LAYER,
        style=style,
        identify="RegistryTiles.identifySites",
        identify_url=reverse("sites:summary", args=[0]).replace("/0.json", "/{id}.json"),
    )
    overlays = contributions.map_overlays()
    include_drafts = queries.may_see_every_draft(request.user)
    context = {
        "form": form,
        "map": maps.public_map(sites, reference_overlays(), [overlay.overlay() for overlay in overlays]),
        "site_count": tiles.site_count(include_drafts=include_drafts, **form.site_filters()),
        "legend": colouring.legend() if colouring else _status_legend(),
        "legend_title": colouring.label if colouring else gettext("Site status"),
        "overlay_legends": [(overlay.legend_title, overlay.legend()) for overlay in overlays],
        "downloads": _download_links(request),
    }
    return render(request, "sites/map.html", context)


@require_safe
def site_list(request):
    """The sites in name order a page at a time (sites.listing), with the map's filters and a text search."""
    form = SiteFilterForm(request.GET)
    if not form.is_valid():
        return _bad_filters(request, form, "sites/list.html")
    try:
        position = listing.position_from(request.GET)
    except listing.ListPositionError as error:
        context = {
            "form": form,
            "position_error": " ".join(error.messages),
            "first_page": listing.first_page_link(form.filters()),
        }
        return render(request, "sites/list.html", context, status=400)
    page = listing.site_list_page(request.user, form.filters(), position)
    context = {
        "form": form,
        "page": page,
        "links": listing.page_links(page, form.filters()),
        "is_filtered": bool(form.active_filters()),
        "legend": _status_legend(),
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
        raise Http404(gettext("Unknown download format."))
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


@require_safe
def site_detail(request, pk):
    site = get_object_or_404(queries.visible_sites(request.user), pk=pk)
    as_of_form = AsOfForm(request.GET)
    as_of = as_of_form.end_of_day() if as_of_form.is_valid() and as_of_form.cleaned_data["as_of"] else None
    date = contributions.SitePageDate(
        as_of=as_of,
        text=request.GET.get("as_of", ""),
        error=as_of_form.error_text() if as_of_form.errors else "",
    )
    estimates = list(visible(site.resource_estimates.all(), request.user))
    shown_site, not_yet_recorded = site, False
    if as_of is not None:
        past = site_as_of(site, request.user, as_of)
        shown_site, not_yet_recorded, estimates = past.site or site, past.site is None, past.estimates
    panels = contributions.site_panels()
    overlays = [*reference_overlays(show=False), *(overlay for panel in panels for overlay in panel.overlays(site))]
    context = {
        "site": shown_site,
        "as_of": as_of,
        "not_yet_recorded": not_yet_recorded,
        "map": maps.point_map(
            shown_site.location,
            colour=shown_site.status_colour,
            outline=shown_site.footprint,
            overlays=overlays,
        ),
        "estimates": estimates,
        "may_record_estimates": may_upload_survey(request.user, site.country) and as_of is None,
        "may_publish_estimates": may_publish(request.user, site.country) and as_of is None,
        "proposed_changes": [] if as_of else proposals.pending_changes_shown([site, *estimates], request.user),
        "changes": recent_changes(site, show_details=may_see_change_details(request.user, site)),
        "panels": [panel.render(request, site, date) for panel in panels],
        "may_publish": may_publish(request.user, site.country),
        # Only people who see the draft reach this page while it is one: they read why it came back.
        "sent_back": None if site.is_published else latest_send_back(site),
    }
    return render(request, "sites/detail.html", context, status=400 if as_of_form.errors else 200)


@login_required
def site_import(request):
    """The upload form; a valid upload is stored and imported in the background, its page shows the report."""
    countries = countries_with_role(request.user, Role.SURVEY_UPLOADER)
    if not countries:
        raise PermissionDenied(gettext("Importing site inventories needs the survey-uploader role for a country."))
    # Files over INVENTORY_UPLOAD_MAX_MB were refused before their body was read (config.upload_limits).
    form = SiteInventoryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        inventory_import = start_inventory_import(
            by=request.user, upload=form.cleaned_data["file"], countries=countries, options=form.options()
        )
        return redirect("sites:import_status", pk=inventory_import.pk)
    context = {
        "form": form,
        "countries": sorted(countries),
        "recent": InventoryImport.objects.filter(created_by=request.user)[:10],
        "max_mb": settings.INVENTORY_UPLOAD_MAX_MB,
    }
    return render(request, "sites/import.html", context, status=400 if form.errors else 200)


@require_safe
@login_required
def site_import_status(request, pk):
    """One uploaded inventory: queued or running (the page refreshes itself), then its report or why it failed."""
    inventory_import = get_object_or_404(InventoryImport, pk=pk, created_by=request.user)
    context = {"inventory_import": inventory_import, "report": inventory_import.report}
    return render(request, "sites/import_status.html", context)


@require_safe
def site_summary(request, pk):
    """What a click on the map shows about one site."""
    site = get_object_or_404(queries.visible_sites(request.user), pk=pk)
    return JsonResponse(
        {
            "id": site.pk,
            "name": site.name,
            "display_name": site.display_name,
            "status": site.status,
            "status_label": str(site.get_status_display()),
            "country": str(site.get_country_display()),
            "commodities": site.get_commodities_display(),
            "url": site.get_absolute_url(),
        }
    )
