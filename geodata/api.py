"""REST API for survey layers: metadata, status and report, their features as GeoJSON, and uploads."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from access.models import Country, Role
from access.roles import countries_with_role
from geodata import exports, queries, services, versions
from geodata.forms import ENCODINGS, LayerChangeForm, LayerUploadForm
from geodata.models import ChangeKind, Feature, Layer, LayerStatus, LayerVersion, Theme
from geodata.rest import BBoxFilter, GeoJsonKeysetPagination, InstantFilter, KeysetPagination, RegistryFilterSet


class LayerSerializer(serializers.ModelSerializer):
    # Uploaded layers have no slug, and reference layers (country outlines) no country: both may be "".
    slug = serializers.CharField(read_only=True, help_text='A stable name for the layers the registry ships, or "".')
    country = serializers.ChoiceField(choices=[("", "None"), *Country.choices], read_only=True)
    extent = GeometryField(read_only=True)
    progress = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Layer
        fields = [
            "id",
            "title",
            "slug",
            "agency",
            "country",
            "theme",
            "abstract",
            "source_date",
            "scale_denominator",
            "license",
            "attribution",
            "keywords",
            "geometry_type",
            "source_crs",
            "encoding",
            "feature_count",
            "extent",
            "field_schema",
            "status",
            "progress",
            "report",
            "is_published",
            "created_at",
            "updated_at",
            "links",
        ]
        read_only_fields = fields

    def get_progress(self, layer) -> dict:
        return queries.layer_progress(layer)

    def get_links(self, layer) -> dict[str, str]:
        request = self.context["request"]
        links = {
            "self": reverse("api:layer-detail", args=[layer.pk]),
            "features": reverse("api:layer-features", args=[layer.pk]),
            "page": reverse("geodata:detail", args=[layer.pk]),
        }
        for name in exports.FORMATS:
            links[f"download_{name}"] = reverse("geodata:download", args=[layer.pk, name])
        return {name: request.build_absolute_uri(url) for name, url in links.items()}


class LayerUploadSerializer(serializers.Serializer):
    """The web upload form's fields; the form itself validates them, so both answer alike."""

    file = serializers.FileField(help_text="A zipped shapefile, GeoPackage, GeoJSON or KML.")
    title = serializers.CharField(max_length=255)
    agency = serializers.CharField(max_length=200, required=False)
    country = serializers.ChoiceField(choices=Country.choices)
    theme = serializers.ChoiceField(choices=Theme.choices)
    abstract = serializers.CharField(required=False)
    source_date = serializers.DateField(required=False)
    scale_denominator = serializers.IntegerField(required=False, min_value=1)
    license = serializers.CharField(max_length=100, required=False)
    keywords = serializers.CharField(max_length=500, required=False, help_text="Separated by commas.")
    srid = serializers.IntegerField(required=False, help_text="EPSG code, only for files without a CRS.")
    encoding = serializers.ChoiceField(choices=ENCODINGS, required=False)
    layer_name = serializers.CharField(max_length=200, required=False, help_text="For files with several layers.")


class LayerFileSerializer(serializers.Serializer):
    """A new file for an existing layer, with the ingest's options; the web page's form validates it."""

    file = serializers.FileField(help_text="A zipped shapefile, GeoPackage, GeoJSON or KML.")
    srid = serializers.IntegerField(required=False, help_text="EPSG code, only for files without a CRS.")
    encoding = serializers.ChoiceField(choices=ENCODINGS, required=False)
    layer_name = serializers.CharField(max_length=200, required=False, help_text="For files with several layers.")


class LayerChangeSerializer(serializers.ModelSerializer):
    """A new file for a layer: importing, waiting for a reviewer to publish it, or failed (with why)."""

    kind = serializers.CharField(source="staged_change", help_text="replace or append")
    file_name = serializers.CharField(source="upload_name")
    # Plain text, not a second enum of the layer statuses (the schema would name the two apart by a hash).
    status = serializers.CharField(help_text="queued, processing, ready (waits to be published), failed or needs_crs")
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Layer
        fields = ["kind", "file_name", "status", "feature_count", "progress", "report"]
        read_only_fields = fields

    def get_progress(self, change) -> dict:
        return queries.layer_progress(change)


class LayerVersionSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = LayerVersion
        fields = ["number", "kind", "file_name", "feature_count", "fields", "uploaded_by", "created_at"]
        read_only_fields = fields


class LayerFilter(RegistryFilterSet):
    country = filters.ChoiceFilter(choices=Country.choices)
    theme = filters.ChoiceFilter(choices=Theme.choices)
    status = filters.ChoiceFilter(choices=LayerStatus.choices)
    updated_since = InstantFilter(field_name="updated_at", lookup_expr="gte")
    bbox = BBoxFilter(field_name="extent", help_text="minx,miny,maxx,maxy in longitude/latitude (EPSG:4326).")

    class Meta:
        model = Layer
        fields = ["country", "theme", "status", "updated_since", "bbox"]


class LayerViewSet(viewsets.ReadOnlyModelViewSet):
    """Survey layers: the public sees published ones; uploaders and reviewers see their drafts too."""

    serializer_class = LayerSerializer
    pagination_class = KeysetPagination
    filterset_class = LayerFilter

    def get_queryset(self):
        return queries.visible_layers(self.request.user).order_by("id")

    @extend_schema(
        request={"multipart/form-data": LayerUploadSerializer},
        responses={202: LayerSerializer},
        description="Upload a layer file; the import runs in the background: poll links.self until "
        "progress.finished is true.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="upload",
        permission_classes=[IsAuthenticated],
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
    )
    def upload(self, request):
        """Same service and same checks as the web upload form; answers 202 with the layer to poll."""
        countries = countries_with_role(request.user, Role.SURVEY_UPLOADER)
        if not countries:
            raise exceptions.PermissionDenied(
                gettext("You need the survey-uploader role for a country to upload layers.")
            )
        form = LayerUploadForm(request.data, request.FILES, countries=countries)
        if not form.is_valid():
            raise exceptions.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        layer = services.start_layer_upload(
            by=request.user, upload=form.cleaned_data["file"], metadata=form.metadata(), options=form.options()
        )
        layer.refresh_from_db()
        body = LayerSerializer(layer, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["links"]["self"]})

    @extend_schema(
        request={"multipart/form-data": LayerFileSerializer},
        responses={202: LayerChangeSerializer},
        description="Replace the layer's data with a new file. The import runs in the background; the layer "
        "keeps its data until it succeeds. A published layer's new data waits for a reviewer (publish-change).",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="replace",
        permission_classes=[IsAuthenticated],
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
    )
    def replace_data(self, request, pk=None):
        return self._change(request, ChangeKind.REPLACE)

    @extend_schema(
        request={"multipart/form-data": LayerFileSerializer},
        responses={202: LayerChangeSerializer},
        description="Add a file's features to the layer; the file must have the layer's fields (names and types).",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="append",
        permission_classes=[IsAuthenticated],
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
    )
    def append_features(self, request, pk=None):
        return self._change(request, ChangeKind.APPEND)

    def _change(self, request, kind: str) -> Response:
        """Same form, service and checks as the layer page; answers 202 with the change (poll the layer's change)."""
        layer = self.get_object()
        versions.ensure_may_change_data(request.user, layer)
        options = {name: request.data[name] for name in ("srid", "encoding", "layer_name") if name in request.data}
        form = LayerChangeForm({**options, "kind": kind}, request.FILES)
        if not form.is_valid():
            raise exceptions.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        change = versions.start_layer_change(
            layer=layer, by=request.user, kind=kind, upload=form.cleaned_data["file"], options=form.options()
        )
        change = Layer.objects.filter(pk=change.pk).first()  # settled already when the import ran at once
        body = {
            "layer": LayerSerializer(Layer.objects.get(pk=layer.pk), context=self.get_serializer_context()).data,
            "change": LayerChangeSerializer(change).data if change else None,
        }
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["layer"]["links"]["self"]})

    @extend_schema(request=None, responses={200: LayerChangeSerializer})
    @action(detail=True, methods=["get"], url_path="change")
    def new_file(self, request, pk=None):
        """The layer's new file, if one is importing, waits to be published, or failed; for those who look after it."""
        layer = self.get_object()
        versions.ensure_may_change_data(request.user, layer)
        change = versions.latest_change(layer)
        if change is None:
            raise exceptions.NotFound("This layer has no new file importing, waiting or failed.")
        return Response(LayerChangeSerializer(change).data)

    @extend_schema(request=None, responses={200: LayerVersionSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="versions", pagination_class=None, filterset_class=None)
    def version_list(self, request, pk=None):
        """The layer's versions, newest first."""
        layer = self.get_object()
        return Response(LayerVersionSerializer(layer.versions.select_related("uploaded_by"), many=True).data)

    @extend_schema(request=None, responses={200: LayerVersionSerializer})
    @action(detail=True, methods=["post"], url_path="publish-change", permission_classes=[IsAuthenticated])
    def publish_new_version(self, request, pk=None):
        """A reviewer of the layer's country publishes the new version waiting for it."""
        version = versions.publish_change(layer=self.get_object(), by=request.user)
        return Response(LayerVersionSerializer(version).data)


class FeatureSerializer(GeoFeatureModelSerializer):
    """One feature: its attributes as they were uploaded are the GeoJSON properties."""

    class Meta:
        model = Feature
        geo_field = "geom"
        id_field = "source_index"
        fields = ["source_index", "geom"]

    def get_properties(self, instance, fields):
        layer = self.context.get("layer")
        return queries.in_field_order(layer, instance.properties) if layer else instance.properties


class FeatureFilter(RegistryFilterSet):
    bbox = BBoxFilter(field_name="geom", help_text="minx,miny,maxx,maxy in longitude/latitude (EPSG:4326).")

    class Meta:
        model = Feature
        fields = ["bbox"]


class FeaturePagination(GeoJsonKeysetPagination):
    ordering = "source_index"


class LayerFeatureList(generics.ListAPIView):
    """A layer's features as GeoJSON, in the file's order, a page at a time."""

    serializer_class = FeatureSerializer
    pagination_class = FeaturePagination
    filterset_class = FeatureFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no layer id
            return Feature.objects.none()
        self.layer = get_object_or_404(queries.visible_layers(self.request.user), pk=self.kwargs["pk"])
        return Feature.objects.filter(layer=self.layer).only("source_index", "geom", "properties")

    def get_serializer_context(self):
        # The layer's fields give the properties their order; get_queryset found it (none for the schema).
        return {**super().get_serializer_context(), "layer": getattr(self, "layer", None)}
