"""What every API endpoint shares: the JSON error format, keyset pagination, the bbox filter, the publish choice."""

import json
import logging

import rest_framework_gis.fields
from django import forms
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views import defaults
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, pagination, renderers, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler
from rest_framework_gis.fields import GeoJsonDict

from geodata.bbox import bbox_polygon, parse_bbox
from geodata.instants import parse_instant

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 1000


def api_exception_handler(error, context):
    """Every API error as {"error": message, "fields": {...}}; Django's own errors become 400/403/404."""
    if isinstance(error, DjangoValidationError):
        error = exceptions.ValidationError(
            error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        )
    elif isinstance(error, DjangoPermissionDenied):
        error = exceptions.PermissionDenied(str(error) or None)
    elif isinstance(error, Http404):
        error = exceptions.NotFound(str(error) or None)
    response = exception_handler(error, context)
    if response is None:
        return None  # unexpected: Django's handler500 answers, as JSON under /api/
    response.data = error_body(response.data)
    return response


def error_body(detail) -> dict:
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        return {"error": str(detail["detail"])}
    if isinstance(detail, dict):
        fields = {name: [str(message) for message in _as_list(messages)] for name, messages in detail.items()}
        summary = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())
        return {"error": f"Invalid input. {summary}", "fields": fields}
    return {"error": " ".join(str(message) for message in _as_list(detail))}


def _as_list(messages) -> list:
    if isinstance(messages, list | tuple):
        return [item for message in messages for item in _as_list(message)]
    if isinstance(messages, dict):
        return [f"{name}: {' '.join(map(str, _as_list(value)))}" for name, value in messages.items()]
    return [messages]


def is_api_request(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    if is_api_request(request):
        return JsonResponse(
            {"error": gettext("No API endpoint or record at %(path)s.") % {"path": request.path}}, status=404
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_request(request):
        return JsonResponse({"error": gettext("Internal server error; it has been logged.")}, status=500)
    return defaults.server_error(request)


class KeysetPagination(pagination.CursorPagination):
    """Cursor paging: no count(*), stable at a million rows (see the performance notes)."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
        return parameters

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and int(raw) > 0):
            raise exceptions.ValidationError(
                {"page_size": [gettext("Give a whole number from 1 to %(largest)s.") % {"largest": self.max_page_size}]}
            )
        return super().get_page_size(request)


class GeoJsonKeysetPagination(KeysetPagination):
    """Keyset pages as a GeoJSON FeatureCollection with next/previous links."""

    def get_paginated_response(self, data):
        features = data["features"] if isinstance(data, dict) else data
        return Response(
            {
                "type": "FeatureCollection",
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "numberReturned": len(features),
                "features": features,
            }
        )

    def get_paginated_response_schema(self, schema):
        # `schema` is already the FeatureCollection (drf-spectacular's drf-gis support); add the page links.
        links = {
            "type": "object",
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "numberReturned": {"type": "integer"},
            },
        }
        return {"allOf": [schema, links]}

    def get_encoded_response(self, features: list[str]) -> HttpResponse:
        """The same page as get_paginated_response, from features that are already JSON text.

        The body is byte for byte what DRF's JSON renderer writes for the same data: compact, UTF-8,
        with U+2028 and U+2029 escaped (which can only occur inside strings).
        """
        head = {
            "type": "FeatureCollection",
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "numberReturned": len(features),
        }
        body = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
        body = f'{body},"features":[{",".join(features)}]}}'
        body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return HttpResponse(body.encode(), content_type="application/json")


class FeaturesInSqlMixin:
    """For GeoJSON list endpoints with keyset pages whose features PostgreSQL writes (geodata.sql_json).

    The view gives `features_in_sql(queryset)`: the filtered, visible records as rows holding the
    feature's JSON text under "feature" and the fields the pages may be ordered by. Plain JSON answers
    (the API's clients) are assembled from those texts; the browsable API and indented JSON, for
    people reading, still go through the serializer, which documents the response.
    """

    def features_in_sql(self, queryset):
        raise NotImplementedError

    def ordering_keys(self) -> list[str]:
        """The fields a page's cursor may be taken from: the orderings offered and the paginator's own."""
        keys = [name.lstrip("-") for name in getattr(self, "ordering_fields", None) or []]
        return list(dict.fromkeys([*keys, self.pagination_class.ordering.lstrip("-")]))

    def list(self, request, *args, **kwargs):
        if not writes_compact_json(request):
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(self.features_in_sql(self.filter_queryset(self.get_queryset())))
        return self.paginator.get_encoded_response([row["feature"] for row in page])


def writes_compact_json(request) -> bool:
    """True when the negotiated answer is the plain JSON renderer without indentation."""
    renderer = getattr(request, "accepted_renderer", None)
    return (
        isinstance(renderer, renderers.JSONRenderer)
        and type(renderer).render is renderers.JSONRenderer.render
        and renderer.compact
        and not renderer.ensure_ascii
        and renderer.get_indent(request.accepted_media_type, {}) is None
    )


class RegistryFilterSet(filters.FilterSet):
    """Filters that refuse a parameter given empty (?country=) instead of silently ignoring it."""

    def get_form_class(self):
        form_class = super().get_form_class()

        def clean(form):
            cleaned = form_class.clean(form)
            for name in form.fields:
                if name in form.data and form.data.get(name) == "":
                    form.add_error(name, gettext("Give a value, or leave the parameter out."))
            return cleaned

        return type(form_class.__name__, (form_class,), {"clean": clean})


class BBoxField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        return parse_bbox(value) if value else None


class BBoxFilter(filters.Filter):
    """bbox=minx,miny,maxx,maxy in longitude/latitude; keeps geometries that intersect it."""

    field_class = BBoxField

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(**{f"{self.field_name}__intersects": bbox_polygon(value)})


class InstantField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        return parse_instant(value) if value else None


class InstantFilter(filters.Filter):
    """An RFC 3339 date or date-time, compared in UTC (a date alone means its first moment)."""

    field_class = InstantField


class GeoJsonFeatureInput:
    """For GeoJSON Feature serializers that write: a body that is no Feature object is a 400 saying so.

    djangorestframework-gis reads `properties` and `geometry` as objects without checking, and fails
    with a TypeError (a 500) on `"properties": []` or `"properties": null`.
    """

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": [gettext("Send a GeoJSON Feature object.")]})
        if "properties" in data and not isinstance(data["properties"], dict):
            raise exceptions.ValidationError({"properties": [gettext("A GeoJSON Feature's properties are an object.")]})
        if data.get("geometry") is not None and not isinstance(data["geometry"], dict):
            raise exceptions.ValidationError({"geometry": [gettext("A GeoJSON Feature's geometry is an object.")]})
        return super().to_internal_value(data)


class GeometryField(rest_framework_gis.fields.GeometryField):
    """GeoJSON geometries as djangorestframework-gis writes them, with points built from their coordinates.

    The library exports every geometry through OGR twice per feature (~0.4 ms a point), which
    dominated a page of 1,000 sites; a point's GeoJSON is just its two coordinates.
    """

    def to_representation(self, value):
        if isinstance(value, Point) and not value.empty and self.transform is None and self.precision is None:
            return GeoJsonDict({"type": "Point", "coordinates": list(value.coords)})
        return super().to_representation(value)


class _ProposedChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    values = serializers.DictField(help_text="The proposed field values, as JSON holds them (dates ISO, geometry WKT).")


class HeldChangeSerializer(serializers.Serializer):
    """The answer (202 Accepted) to an edit of a published record held until a reviewer of its country accepts it."""

    detail = serializers.CharField()
    proposed_change = _ProposedChangeSerializer()


def held_change_schema(serializer) -> dict:
    """The schema of an update's answers: the record (200), or the change held for review (202)."""
    return {
        name: extend_schema(responses={200: serializer, 202: HeldChangeSerializer})
        for name in ("update", "partial_update")
    }


class PublishSerializer(serializers.Serializer):
    """The body of every publish action: publish (true) or withdraw (false)."""

    is_published = serializers.BooleanField()


class SendBackSerializer(serializers.Serializer):
    """The body of every send-back action: why the draft goes back to its author."""

    reason = serializers.CharField(help_text="What the author should check or change; kept with the decision.")


class ReviewDecisionSerializer(serializers.Serializer):
    """A reviewer's decision as the API answers it."""

    decision = serializers.CharField()
    reason = serializers.CharField()
    by = serializers.CharField(source="by.get_username", allow_null=True)
    at = serializers.DateTimeField()
