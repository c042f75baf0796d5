"""REST API for sites and their resource estimates: serializers, filters and viewsets (thin)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, parsers, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from access.models import Country
from access.proposals import held_summary
from access.publishing import publish, send_back
from access.visibility import visible
from geodata.geometry import GeometryProblem, checked_lonlat_geometry
from geodata.rest import (
    FeaturesInSqlMixin,
    GeoJsonFeatureInput,
    GeoJsonKeysetPagination,
    GeometryField,
    InstantFilter,
    KeysetPagination,
    PublishSerializer,
    RegistryFilterSet,
    ReviewDecisionSerializer,
    SendBackSerializer,
    held_change_schema,
)
from sites import exports, geojson, queries, services
from sites.filters import SiteFilter
from sites.models import Commodity, MineSite, ResourceCategory, ResourceEstimate


@extend_schema_field({"type": "string", "nullable": True, "description": "The name of the site's source, if any."})
class _SourceName(serializers.StringRelatedField):
    pass


class SiteSerializer(GeoJsonFeatureInput, GeoFeatureModelSerializer):
    location = GeometryField(help_text="The site's point, longitude/latitude (EPSG:4326).")
    commodities = serializers.ListField(child=serializers.ChoiceField(choices=Commodity.choices), required=False)
    alternative_names = serializers.ListField(child=serializers.CharField(max_length=255), required=False)
    data_source = _SourceName(read_only=True)
    license = serializers.SerializerMethodField()

    class Meta:
        model = MineSite
        geo_field = "location"
        fields = list(geojson.API_FIELDS)
        read_only_fields = ["quality_flags", "is_published", "created_at", "updated_at"]

    def validate_location(self, value):
        """Held to the same rules as every typed or sent geometry (geodata.geometry): a 400 saying why otherwise."""
        try:
            return checked_lonlat_geometry(value, allowed_types=("Point",))
        except GeometryProblem as problem:
            raise serializers.ValidationError(str(problem)) from None

    def get_license(self, site) -> str:
        return site.data_source.license if site.data_source else ""

    def create(self, validated_data):
        return services.create_site(by=self.context["request"].user, data=validated_data)

    def update(self, instance, validated_data):
        return services.update_site(site=instance, by=self.context["request"].user, data=validated_data)


@extend_schema_view(**held_change_schema(SiteSerializer))
class SiteViewSet(
    FeaturesInSqlMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Mine sites as GeoJSON; the public sees published ones, uploaders record the sites of their country.

    The same filters select whole downloads at `/sites/export.{gpkg,shp.zip,geojson,csv}`; each list
    response links them in its `Link` header (`rel="alternate"`, one per format).
    """

    serializer_class = SiteSerializer
    parser_classes = [parsers.JSONParser]  # a GeoJSON Feature is JSON; a form could not carry it
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = GeoJsonKeysetPagination
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = SiteFilter
    ordering_fields = ["id", "name", "updated_at"]
    ordering = ["id"]

    def get_queryset(self):
        return queries.visible_sites(self.request.user).order_by("id")

    def features_in_sql(self, queryset):
        return geojson.site_features(queryset, keys=self.ordering_keys())

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response["Link"] = exports.download_links(request, SiteFilter.base_filters)
        return response

    def update(self, request, *args, partial=False, **kwargs):
        """As DRF's, but a change held for review answers 202 Accepted with the proposed change."""
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        site = serializer.save()
        held = getattr(site, "held_change", None)
        if held is not None:
            return Response(held_summary(held), status=202)
        return Response(serializer.data)

    @extend_schema(request=PublishSerializer, responses=SiteSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish or unpublish a site (reviewers of its country)."""
        choice = PublishSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        site = publish(self.get_object(), by=request.user, published=choice.validated_data["is_published"])
        return Response(SiteSerializer(site, context=self.get_serializer_context()).data)

    @extend_schema(request=SendBackSerializer, responses=ReviewDecisionSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """Send a draft site back to its author with a reason (reviewers of its country); it stays a draft."""
        body = SendBackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = send_back(self.get_object(), by=request.user, reason=body.validated_data["reason"])
        return Response(ReviewDecisionSerializer(decision).data)


class ResourceEstimateSerializer(serializers.ModelSerializer):
    unfc_class = serializers.CharField(read_only=True)

    class Meta:
        model = ResourceEstimate
        fields = [
            "id",
            "site",
            "commodity",
            "reporting_code",
            "national_code_name",
            "category",
            "unfc_class",
            "tonnage_mt",
            "grade",
            "grade_unit",
            "cut_off",
            "effective_date",
            "competent_person",
            "source_report",
            "source_url",
            "is_published",
            "updated_at",
        ]


class ResourceEstimateFilter(RegistryFilterSet):
    site = filters.NumberFilter(field_name="site_id")
    commodity = filters.ChoiceFilter(choices=Commodity.choices)
    category = filters.ChoiceFilter(choices=ResourceCategory.choices)
    country = filters.ChoiceFilter(field_name="site__country", choices=Country.choices)
    updated_since = InstantFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = ResourceEstimate
        fields = ["site", "commodity", "category", "country", "updated_since"]


class ResourceEstimateViewSet(viewsets.ReadOnlyModelViewSet):
    """Resource and reserve estimates; visible when their site is."""

    serializer_class = ResourceEstimateSerializer
    pagination_class = KeysetPagination
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = ResourceEstimateFilter
    ordering_fields = ["id", "effective_date", "tonnage_mt"]
    ordering = ["id"]

    def get_queryset(self):
        return visible(ResourceEstimate.objects.all(), self.request.user).order_by("id")

    @extend_schema(request=PublishSerializer, responses=ResourceEstimateSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def publish(self, request, pk=None):
        """Publish or withdraw an estimate (reviewers of its site's country)."""
        choice = PublishSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        estimate = publish(self.get_object(), by=request.user, published=choice.validated_data["is_published"])
        return Response(ResourceEstimateSerializer(estimate, context=self.get_serializer_context()).data)
