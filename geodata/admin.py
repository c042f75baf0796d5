"""Admin for survey layers (metadata and status; features are loaded by the ingest, never edited here)."""

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from geodata.models import Layer, LayerVersion
from geodata.widgets import LocalOSMWidget


class LayerVersionInline(admin.TabularInline):
    """The layer's versions, as its page lists them; a new version comes from a new file on the layer's page."""

    model = LayerVersion
    fields = ["number", "kind", "file_name", "feature_count", "uploaded_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Layer)
class LayerAdmin(SimpleHistoryAdmin, GISModelAdmin):
    gis_widget = LocalOSMWidget
    inlines = [LayerVersionInline]
    list_display = ["title", "theme", "country", "status", "feature_count", "is_published"]
    list_filter = ["status", "theme", "country", "is_published"]
    search_fields = ["title", "agency", "abstract"]
    readonly_fields = [
        "geometry_type",
        "source_crs",
        "encoding",
        "feature_count",
        "extent",
        "field_schema",
        "status",
        "progress_stage",
        "progress_percent",
        "report",
        "created_by",
        "created_at",
        "updated_at",
    ]
