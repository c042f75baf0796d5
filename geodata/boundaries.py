"""Administrative boundary layers: marking a layer as one, and the SQL that names the area around a point.

A layer becomes a boundary layer when its uploader names the attribute that holds each area's
name (`Layer.boundary_name_field`). Which records take their area from it is for the apps above
to say; this module only knows layers and features.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from geodata import layer_events
from geodata.models import Feature, Layer, LayerStatus
from geodata.services import ensure_may_upload


@transaction.atomic
def mark_boundaries(*, layer: Layer, by, name_field: str) -> Layer:
    """Mark the layer as administrative boundaries named by `name_field`, or unmark it with ""."""
    ensure_may_upload(by, layer.country)
    name_field = name_field.strip()
    if name_field:
        if not layer.country:
            raise ValidationError(_("Only a layer filed under a country can be its administrative boundaries."))
        names = [field["name"] for field in layer.field_schema]
        if name_field not in names:
            raise ValidationError(
                _("This layer has no attribute “%(name)s”; choose one of: %(names)s.")
                % {"name": name_field, "names": ", ".join(names) or "—"}
            )
    if name_field == layer.boundary_name_field:
        return layer
    layer.boundary_name_field = name_field
    layer._history_user = by
    layer.save(update_fields=["boundary_name_field", "updated_at"])
    layer_events.boundaries_marked.send(sender=Layer, layer=layer)
    return layer


def area_name_sql(*, point_sql: str, country_sql: str) -> str:
    """SQL for the name of the smallest area containing `point_sql` in `country_sql`'s published boundary layers.

    Where several boundary layers cover the point, the one published (or re-imported) last wins;
    within it, the smallest polygon, so a district drawn over its province names the point. NULL
    where no boundary covers the point. The layer-and-geometry GiST index finds the candidates.
    """
    layers, features = Layer._meta.db_table, Feature._meta.db_table
    return f"""(
        SELECT f.properties ->> l.boundary_name_field
        FROM {layers} l
        JOIN {features} f ON f.layer_id = l.id AND ST_Covers(f.geom, {point_sql})
        WHERE l.country = {country_sql} AND l.boundary_name_field <> ''
          AND l.is_published AND l.status = '{LayerStatus.READY}'
          AND GeometryType(f.geom) IN ('POLYGON', 'MULTIPOLYGON')
          AND coalesce(f.properties ->> l.boundary_name_field, '') <> ''
        ORDER BY l.updated_at DESC, l.id DESC, ST_Area(f.geom::geography), f.id
        LIMIT 1
    )"""
