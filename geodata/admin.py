"""Admin for survey layers (metadata and status; features are loaded by the ingest, never edited here)."""

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from geodata.models import Layer
from geodata.widgets import LocalOSMWidget


@admin.register(Layer)
class LayerAdmin(SimpleHistoryAdmin, GISModelAdmin):
    gis_widget = LocalOSMWidget
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
