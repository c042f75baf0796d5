"""Pages and data endpoints for survey layers: catalogue, upload with progress, layer page, GeoJSON."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import quote_etag, urlencode
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST, require_safe

from access.models import Role
from access.publishing import latest_send_back, publish
from access.roles import countries_with_role, may_upload_survey
from access.visibility import may_publish
from geodata import boundaries, downloads, exports, layer_tiles, maps, queries, services, tiles, versions
from geodata.bbox import parse_bbox
from geodata.forms import (
    BoundaryNamingForm,
    IngestOptionsForm,
    LayerChangeForm,
    LayerFilterForm,
    LayerUploadForm,
    PublishForm,
)
from geodata.import_report import readable_report
from geodata.models import Feature, LayerStatus

LAYERS_PER_PAGE = 25


@require_safe
def layer_catalogue(request):
    form = LayerFilterForm(request.GET)
    status = 200 if form.is_valid() else 400
    filters = form.cleaned_data if form.is_valid() else {}
    layers = queries.filtered_layers(queries.visible_layers(request.user), **filters)
    page = Paginator(layers, LAYERS_PER_PAGE).get_page(request.GET.get("page"))
    may_upload = bool(countries_with_role(request.user, Role.SURVEY_UPLOADER))
    context = {"form": form, "page": page, "may_upload": may_upload}
    return render(request, "geodata/catalogue.html", context, status=status)


@login_required
def layer_upload(request):
    countries = countries_with_role(request.user, Role.SURVEY_UPLOADER)
    if not countries:
        raise PermissionDenied(gettext("You need the survey-uploader role for a country to upload layers."))
    form = LayerUploadForm(request.POST or None, request.FILES or None, countries=countries)
    if request.method == "POST" and form.is_valid():
        layer = services.start_layer_upload(
            by=request.user, upload=form.cleaned_data["file"], metadata=form.metadata(), options=form.options()
        )
        return redirect("geodata:detail", pk=layer.pk)
    return render(request, "geodata/upload.html", {"form": form}, status=400 if form.errors else 200)


def _layer_for(request, pk):
    """The layer if this user may see it; a running import is checked for a dead worker first."""
    layer = get_object_or_404(queries.visible_layers(request.user), pk=pk)
    if layer.status == LayerStatus.PROCESSING and services.sweep_stale_imports():
        layer.refresh_from_db()
    return layer


@require_safe
def layer_detail(request, pk):
    layer = _layer_for(request, pk)
    may_edit = may_upload_survey(request.user, layer.country)
    style_error = ""
    try:
        style = queries.layer_attribute(layer, request.GET.get("style", ""))
    except ValidationError as error:
        style, style_error = "", " ".join(error.messages)
    categories = queries.layer_categories(layer, style) if style else []
    features = queries.layer_features_page(layer, request.GET.get("page"))
    looks_after = may_edit or may_publish(request.user, layer.country) or request.user.is_staff
    may_change = versions.may_change_data(request.user, layer)
    change = versions.latest_change(layer) if looks_after else None
    context = {
        "layer": layer,
        "report": readable_report(layer.report, details=looks_after),
        "map": _layer_map(layer, style, categories) if layer.feature_count else None,
        "style": style,
        "style_error": style_error,
        "style_choices": [field["name"] for field in layer.field_schema],
        "legend": categories,
        "features": features,
        "attribute_rows": queries.attribute_rows(layer, features),
        "progress": queries.layer_progress(_importing(layer, change)),
        "change": change,
        "change_report": readable_report(change.report, details=True) if change else None,
        "change_failure": versions.why_change_failed(change) if change else "",
        "may_change": may_change,
        "change_form": LayerChangeForm() if may_change and versions.takes_new_file(layer, change) else None,
        "versions": layer.versions.select_related("uploaded_by"),
        "looks_after": looks_after,
        "may_edit": may_edit,
        "may_publish": may_publish(request.user, layer.country),
        "retry_form": IngestOptionsForm() if may_edit else None,
        "sent_back": None if layer.is_published else latest_send_back(layer),
        "boundary_form": BoundaryNamingForm(layer=layer) if may_edit and layer.field_schema else None,
    }
    return render(request, "geodata/detail.html", context, status=400 if style_error else 200)


def _layer_map(layer, style: str, categories: list[tuple[str, str]]):
    tile_url = tiles.url_template("tiles:layer", layer.pk) + (f"?{urlencode({'attribute': style})}" if style else "")
    feature_url = reverse("tiles:layer-feature", args=[layer.pk, 0]).replace("/0.json", "/{fid}.json")
    return maps.layer_map(
        name=layer.title,
        tile_url=tile_url,
        feature_url=feature_url,
        extent=layer.extent.extent if layer.extent else None,
        categories=dict(categories) if categories else None,
        line_weight=1.5 if "Line" in layer.geometry_type else 1.0,
    )


def _importing(layer, change):
    """What the progress bar follows: a new file while it imports, else the layer's own import."""
    return change if change is not None and change.status in (LayerStatus.QUEUED, LayerStatus.PROCESSING) else layer


@require_GET
def layer_status(request, pk):
    layer = _layer_for(request, pk)
    # A new file's import is for those who look after the layer; the public's layer is unchanged meanwhile.
    looks_after = versions.may_change_data(request.user, layer) or request.user.is_staff
    progress = queries.layer_progress(_importing(layer, versions.running_change(layer) if looks_after else None))
    return JsonResponse(progress, headers={"Cache-Control": "no-store"})


@require_POST
@login_required
def layer_retry(request, pk):
    layer = get_object_or_404(queries.visible_layers(request.user), pk=pk)
    form = IngestOptionsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("geodata:detail", pk=layer.pk)
    try:
        services.retry_ingest(layer=layer, by=request.user, options=form.options())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("geodata:detail", pk=layer.pk)


@require_POST
@login_required
def layer_import_every(request, pk):
    layer = get_object_or_404(queries.visible_layers(request.user), pk=pk)
    form = IngestOptionsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("geodata:detail", pk=layer.pk)
    try:
        layers = services.import_every_layer(layer=layer, by=request.user, options=form.options())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("geodata:detail", pk=layer.pk)
    messages.success(
        request,
        ngettext(
            "%(count)s layer is being imported: %(titles)s.",
            "%(count)s layers are being imported: %(titles)s.",
            len(layers),
        )
        % {"count": len(layers), "titles": ", ".join(each.title for each in layers)},
    )
    return redirect("geodata:detail", pk=layer.pk)


@require_POST
@login_required
def layer_publish(request, pk):
    layer = get_object_or_404(queries.visible_layers(request.user), pk=pk)
    form = PublishForm(request.POST)
    form.is_valid()
    try:
        publish(layer, by=request.user, published=form.cleaned_data["is_published"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("geodata:detail", pk=layer.pk)


@require_POST
@login_required
def layer_boundaries(request, pk):
    """Mark the layer as its country's administrative boundaries, or unmark it (its uploaders)."""
    layer = get_object_or_404(queries.visible_layers(request.user), pk=pk)
    name_field = request.POST.get("boundary_name_field", "")  # checked against the layer's fields by the service
    try:
        boundaries.mark_boundaries(layer=layer, by=request.user, name_field=name_field)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("geodata:detail", pk=layer.pk)


@require_GET
def layer_geojson(request, pk):
    layer = get_object_or_404(queries.visible_layers(request.user), pk=pk)
    if layer.feature_count > queries.GEOJSON_FEATURE_LIMIT:
        return HttpResponse(queries.describe_too_big(layer), status=413, content_type="application/json")
    etag = quote_etag(f"{layer.pk}-{layer.updated_at.timestamp()}")
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304)
    response = HttpResponse(queries.layer_geojson(layer), content_type="application/geo+json")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300" if layer.is_published else "private, no-cache"
    return response


@require_GET
def layer_download(request, pk, file_format):
    """The layer in a GIS format (?bbox= clips it) or, as download.metadata.json, what such a download holds."""
    layer = get_object_or_404(queries.visible_layers(request.user), pk=pk)
    if file_format not in exports.FORMATS and file_format != exports.METADATA_FORMAT:
        raise Http404(gettext("Unknown download format."))
    try:
        bbox = parse_bbox(request.GET["bbox"]) if request.GET.get("bbox") else None
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages), "fields": {"bbox": error.messages}}, status=400)
    if not layer.feature_count:
        return JsonResponse({"error": gettext("This layer has no features to download.")}, status=409)
    filters = {"bbox": list(bbox)} if bbox else {}
    metadata_url = _same_query(request, reverse("geodata:download", args=[layer.pk, exports.METADATA_FORMAT]))
    metadata = exports.layer_metadata(
        layer,
        filters=filters,
        registry_url=request.build_absolute_uri(reverse("geodata:detail", args=[layer.pk])),
        query_url=request.build_absolute_uri(),
    )
    query = exports.layer_query(layer, bbox=bbox, metadata=metadata)
    if file_format == exports.METADATA_FORMAT:
        return downloads.metadata_response(query)
    return downloads.export_response(query, file_format, metadata_url=metadata_url)


def _same_query(request, path: str) -> str:
    return request.build_absolute_uri(path + (f"?{request.GET.urlencode()}" if request.GET else ""))


# --- vector tiles -----------------------------------------------------------------------------


@require_GET
def layer_tile(request, pk, z, x, y):
    """A layer's tile in one statement with the layer's visibility and version (the subject)."""
    try:
        address = tiles.TileAddress.parse(z, x, y)
    except tiles.TileError as error:
        return tiles.tile_error(error)
    if pk > tiles.LARGEST_ID:
        raise Http404(gettext("No such layer."))
    attribute = request.GET.get("attribute", "")
    if "\x00" in attribute:  # never a field name, and PostgreSQL refuses it in text
        return _layer_tile_refusal(request, pk, attribute)
    tile_request = tiles.TileRequest(
        key=f"layer-{pk}|{address}|{attribute}",
        query=layer_tiles.layer_tile_sql(pk, address, attribute=attribute),
        subject=layer_tiles.layer_subject(layer_tiles.visible_layers_sql(request.user), pk, attribute),
    )
    tile = tiles.serve_tile(tile_request, if_none_match=request.headers.get("If-None-Match"))
    if tile is None:
        return _layer_tile_refusal(request, pk, attribute)
    (is_public,) = tile.facts
    return tiles.tile_answer(tile, is_public=is_public)


def _layer_tile_refusal(request, pk, attribute: str) -> HttpResponse:
    """Why a layer has no such tile: a layer this user may not see (404) or an attribute it lacks (400)."""
    layer = get_object_or_404(queries.visible_layers(request.user), pk=pk)
    try:
        queries.layer_attribute(layer, attribute)
    except ValidationError as error:
        return tiles.tile_error(error)
    raise Http404(gettext("The layer changed while its tile was drawn; ask again."))


@require_GET
def layer_feature(request, pk, feature_id):
    """One feature's attributes, for a click on the layer's tiles."""
    layer = get_object_or_404(queries.visible_layers(request.user), pk=pk)
    feature = get_object_or_404(Feature.objects.only("id", "source_index", "properties"), layer=layer, pk=feature_id)
    properties = queries.in_field_order(layer, feature.properties)
    return JsonResponse({"id": feature.pk, "source_index": feature.source_index, "properties": properties})
