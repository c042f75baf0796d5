"""Pages and data endpoints for survey layers."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import quote_etag
from django.views.decorators.http import require_GET

from geodata import queries


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
