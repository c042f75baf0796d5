"""REST API for hazards, remediation measures and monitoring visits (thin: rules live in the services).

The public reads published records of published sites, priority-1 hazards at a generalised
location, and never officers' names; officers of the site's country write (drafts), reviewers
publish. The same `remediation.services` functions the pages use do every write.
"""

import json

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import parsers, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from access.models import Country
from access.proposals import held_summary
from access.publishing import publish, send_back
from access.visibility import draft_countries, visible
from geodata.geometry import GeometryProblem, checked_lonlat_geometry
from geodata.rest import (
    BBoxFilter,
    GeoJsonFeatureInput,
    GeoJsonKeysetPagination,
    InstantFilter,
    KeysetPagination,
    PublishSerializer,
    RegistryFilterSet,
    ReviewDecisionSerializer,
    SendBackSerializer,
    held_change_schema,
)
from remediation import services
from remediation.models import (
    Hazard,
    HazardStatus,
    HazardType,
    Measurement,
    MeasureStage,
    MonitoringVisit,
    RemediationMeasure,
    SiteRecord,
)
from remediation.placement import countries_seeing_exact_places, location_for, must_generalise
from sites.queries import visible_sites

HAZARD_GEOMETRY_TYPES = ("Point", "Polygon", "MultiPolygon")
TREATED_AREA_GEOMETRY_TYPES = ("MultiPolygon",)  # a Polygon is promoted


def _held_response(record) -> Response | None:
    """202 Accepted with the proposed change, when the write service held the edit for review."""
    held = getattr(record, "held_change", None)
    return Response(held_summary(held), status=202) if held is not None else None


def _checked_geometry(geometry, allowed_types: tuple[str, ...]):
    """A sent geometry held to the same rules as the pages' (geodata.geometry): a 400 saying why otherwise."""
    if geometry is None:
        return None
    try:
        return checked_lonlat_geometry(geometry, allowed_types=allowed_types)
    except GeometryProblem as problem:
        raise serializers.ValidationError(str(problem)) from None


# Officers' names are personal data: only members of the site's country read them.
PEOPLE_FIELDS = ("created_by", "officer", "priority_approved_by", "signed_off_by")


@extend_schema_field({"type": "string", "nullable": True, "description": "Only for members of the site's country."})
class _Username(serializers.RelatedField):
    def to_representation(self, user) -> str:
        return user.get_username()


def people_are_optional(result, generator, request, public):
    """An OpenAPI post-processing hook: the people fields are left out for strangers, so never required."""

    def visit(node):
        if isinstance(node, dict):
            if isinstance(node.get("required"), list):
                node["required"] = [name for name in node["required"] if name not in PEOPLE_FIELDS]
                if not node["required"]:
                    del node["required"]
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(result.get("components", {}))
    return result


def _without_people(data: dict, record, context: dict) -> dict:
    properties = data.get("properties", data)
    if record.site.country not in context["member_countries"]:
        for name in PEOPLE_FIELDS:
            properties.pop(name, None)
    return data


class _SiteField(serializers.PrimaryKeyRelatedField):
    """A site the requester may see (the service then checks they may record on it)."""

    def get_queryset(self):
        return visible_sites(self.context["request"].user)


class HazardSerializer(GeoFeatureModelSerializer):
    site = _SiteField()
    location_generalised = serializers.SerializerMethodField()
    created_by = _Username(read_only=True)
    priority_approved_by = _Username(read_only=True)

    class Meta:
        model = Hazard
        geo_field = "location"
        fields = [
            "id",
            "site",
            "hazard_type",
            "priority",
            "priority_is_approved",
            "priority_approved_by",
            "priority_approved_at",
            "quantity",
            "quantity_unit",
            "location",
            "location_generalised",
            "estimated_cost_amount",
            "estimated_cost_currency",
            "status",
            "made_safe_on",
            "notes",
            "is_published",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["priority_is_approved", "priority_approved_at", "is_published", "created_at", "updated_at"]

    def get_location_generalised(self, hazard) -> bool:
        return hazard.location is not None and must_generalise(hazard, self.context["exact_countries"])

    def to_representation(self, hazard):
        data = super().to_representation(hazard)
        if hazard.location is not None and must_generalise(hazard, self.context["exact_countries"]):
            data["geometry"] = json.loads(location_for(hazard, self.context["exact_countries"]).geojson)
        return _without_people(data, hazard, self.context)


class HazardWriteSerializer(serializers.ModelSerializer):
    """What officers send: the exact location (a point or polygon near the site) as GeoJSON."""

    site = _SiteField()

    class Meta:
        model = Hazard
        fields = [
            "site",
            "hazard_type",
            "priority",
            "quantity",
            "quantity_unit",
            "location",
            "estimated_cost_amount",
            "estimated_cost_currency",
            "status",
            "made_safe_on",
            "notes",
        ]

    def validate_location(self, value):
        return _checked_geometry(value, HAZARD_GEOMETRY_TYPES)

    def save_record(self, instance=None):
        hazard = instance or Hazard()
        for name, value in self.validated_data.items():
            setattr(hazard, name, value)
        return services.save_record(hazard, by=self.context["request"].user)


class MeasureSerializer(GeoJsonFeatureInput, GeoFeatureModelSerializer):
    site = _SiteField()
    hazards = serializers.PrimaryKeyRelatedField(many=True, queryset=Hazard.objects.all(), required=False)
    created_by = _Username(read_only=True)
    signed_off_by = _Username(read_only=True)

    class Meta:
        model = RemediationMeasure
        geo_field = "treated_area"
        fields = [
            "id",
            "site",
            "hazards",
            "measure_type",
            "stage",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "responsible_agency",
            "contractor",
            "funding_source",
            "budget_amount",
            "actual_cost_amount",
            "cost_currency",
            "treated_area",
            "treated_area_ha",
            "description",
            "closure_criteria",
            "signed_off_by",
            "signed_off_at",
            "is_published",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["treated_area_ha", "signed_off_at", "is_published", "created_at", "updated_at"]

    def to_representation(self, measure):
        # `hazards` lists only what the reader may see: the viewset prefetches the visible ones.
        return _without_people(super().to_representation(measure), measure, self.context)

    def validate_treated_area(self, value):
        return _checked_geometry(value, TREATED_AREA_GEOMETRY_TYPES)

    def save_record(self, instance=None):
        data = dict(self.validated_data)
        hazards = data.pop("hazards", None)
        measure = instance or RemediationMeasure()
        for name, value in data.items():
            setattr(measure, name, value)
        return services.save_record(measure, by=self.context["request"].user, hazards=hazards)


class MeasurementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measurement
        fields = ["parameter", "parameter_detail", "value", "unit"]


class VisitSerializer(serializers.ModelSerializer):
    site = _SiteField()
    measure = serializers.PrimaryKeyRelatedField(
        queryset=RemediationMeasure.objects.all(), required=False, allow_null=True
    )
    measurements = MeasurementSerializer(many=True, required=False)
    officer = _Username(read_only=True)
    created_by = _Username(read_only=True)

    class Meta:
        model = MonitoringVisit
        fields = [
            "id",
            "site",
            "measure",
            "visited_on",
            "officer",
            "observations",
            "next_visit_due",
            "measurements",
            "is_published",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_published", "created_at", "updated_at"]

    def to_representation(self, visit):
        return _without_people(super().to_representation(visit), visit, self.context)

    def save_record(self, instance=None):
        data = dict(self.validated_data)
        sent = data.pop("measurements", None)  # left out of a PATCH: the readings stay as they are
        readings = None if sent is None else [services.MeasurementData(**reading) for reading in sent]
        visit = instance or MonitoringVisit(officer=self.context["request"].user)
        for name, value in data.items():
            setattr(visit, name, value)
        return services.save_visit(visit, by=self.context["request"].user, measurements=readings)


class RecordFilter(RegistryFilterSet):
    site = filters.NumberFilter(field_name="site_id")
    country = filters.ChoiceFilter(field_name="site__country", choices=Country.choices)
    updated_since = InstantFilter(field_name="updated_at", lookup_expr="gte")


class HazardFilter(RecordFilter):
    bbox = BBoxFilter(field_name="site__location", help_text="minx,miny,maxx,maxy: hazards of the sites inside.")
    hazard_type = filters.ChoiceFilter(choices=HazardType.choices)
    priority = filters.NumberFilter()
    status = filters.ChoiceFilter(choices=HazardStatus.choices)

    class Meta:
        model = Hazard
        fields = ["site", "country", "bbox", "hazard_type", "priority", "status", "updated_since"]


class MeasureFilter(RecordFilter):
    bbox = BBoxFilter(field_name="site__location", help_text="minx,miny,maxx,maxy: measures of the sites inside.")
    stage = filters.ChoiceFilter(choices=MeasureStage.choices)

    class Meta:
        model = RemediationMeasure
        fields = ["site", "country", "bbox", "stage", "updated_since"]


class VisitFilter(RecordFilter):
    class Meta:
        model = MonitoringVisit
        fields = ["site", "country", "updated_since"]


class _RecordViewSet(viewsets.ModelViewSet):
    """Shared by the three: visibility, writes through the services, publishing by reviewers."""

    model = None
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "updated_at"]
    ordering = ["id"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    people = ("created_by",)  # user columns read by the serializer, joined in the same query

    def get_queryset(self):
        records = self.model.objects.select_related("site", *self.people).order_by("id")
        return visible(records, self.request.user)

    def get_serializer_context(self):
        # Who the reader is, worked out once per request rather than once per record.
        user = self.request.user
        return {
            **super().get_serializer_context(),
            "member_countries": draft_countries(user, SiteRecord),
            "exact_countries": countries_seeing_exact_places(user),
        }

    def perform_create(self, serializer):
        serializer.instance = serializer.save_record()

    def perform_update(self, serializer):
        serializer.instance = self._updated = serializer.save_record(serializer.instance)

    def update(self, request, *args, **kwargs):
        """As DRF's, but a change held for review answers 202 Accepted with the proposed change."""
        response = super().update(request, *args, **kwargs)
        return _held_response(getattr(self, "_updated", None)) or response

    def perform_destroy(self, instance):
        services.delete_record(instance, by=self.request.user)

    def _publish(self, request):
        choice = PublishSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        record = publish(self.get_object(), by=request.user, published=choice.validated_data["is_published"])
        return Response(self.get_serializer_class()(record, context=self.get_serializer_context()).data)

    @extend_schema(request=SendBackSerializer, responses=ReviewDecisionSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """Send a draft back to its author with a reason (reviewers of the site's country); it stays a draft."""
        body = SendBackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = send_back(self.get_object(), by=request.user, reason=body.validated_data["reason"])
        return Response(ReviewDecisionSerializer(decision).data)


@extend_schema_view(**held_change_schema(HazardSerializer))
class HazardViewSet(_RecordViewSet):
    """Hazards (the problem inventory); priority-1 locations are generalised to ~1 km for the public."""

    model = Hazard
    people = ("created_by", "priority_approved_by")
    pagination_class = GeoJsonKeysetPagination
    filterset_class = HazardFilter

    def get_serializer_class(self):
        return HazardWriteSerializer if self.action in ("create", "update", "partial_update") else HazardSerializer

    def create(self, request, *args, **kwargs):
        return self._write(request, instance=None, status=201)

    def update(self, request, *args, **kwargs):
        return self._write(request, instance=self.get_object(), partial=kwargs.get("partial", False), status=200)

    def _write(self, request, *, instance, status, partial=False):
        serializer = HazardWriteSerializer(
            instance, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        hazard = serializer.save_record(instance)
        held = _held_response(hazard)
        if held is not None:
            return held
        return Response(HazardSerializer(hazard, context=self.get_serializer_context()).data, status=status)

    @extend_schema(request=PublishSerializer, responses=HazardSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish or unpublish (reviewers of the site's country)."""
        choice = PublishSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        record = publish(self.get_object(), by=request.user, published=choice.validated_data["is_published"])
        return Response(HazardSerializer(record, context=self.get_serializer_context()).data)


@extend_schema_view(**held_change_schema(MeasureSerializer))
class MeasureViewSet(_RecordViewSet):
    """Remediation measures with their treated area (GeoJSON) and hectares computed on the ellipsoid."""

    model = RemediationMeasure
    parser_classes = [parsers.JSONParser]  # a GeoJSON Feature is JSON; a form could not carry it
    serializer_class = MeasureSerializer
    pagination_class = GeoJsonKeysetPagination
    filterset_class = MeasureFilter

    people = ("created_by", "signed_off_by")

    def get_queryset(self):
        visible_hazards = visible(Hazard.objects.all(), self.request.user)
        return super().get_queryset().prefetch_related(Prefetch("hazards", queryset=visible_hazards))

    @extend_schema(request=PublishSerializer, responses=MeasureSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish or unpublish (reviewers of the site's country)."""
        return self._publish(request)


@extend_schema_view(**held_change_schema(VisitSerializer))
class VisitViewSet(_RecordViewSet):
    """Monitoring visits with their readings; the officer's name only for members of the site's country."""

    model = MonitoringVisit
    people = ("created_by", "officer")
    serializer_class = VisitSerializer
    pagination_class = KeysetPagination
    filterset_class = VisitFilter

    def get_queryset(self):
        return super().get_queryset().prefetch_related("measurements")

    @extend_schema(request=PublishSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish or unpublish (reviewers of the site's country)."""
        return self._publish(request)
