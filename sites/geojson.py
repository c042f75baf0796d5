"""Sites as GeoJSON features written by PostgreSQL, the same text as the API's SiteSerializer writes.

A page of the sites API is up to a thousand features; building each one field by field in Python
took most of the page's time (bench/maps.py). The properties below follow `sites.api.SiteSerializer`'s
fields in order, and tests/api/test_sites_geojson.py holds the two to the same bytes.
"""

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce

from geodata.sql_json import JsonInstant, JsonPoint, JsonValue, geojson_feature


def site_feature():
    """One site as a GeoJSON Feature's JSON text; its source's name and licence through a left join."""
    properties = {
        name: JsonValue(F(name))
        for name in (
            "name",
            "alternative_names",
            "country",
            "admin_area",
            "status",
            "mine_type",
            "commodities",
            "operator",
            "opened_year",
            "closed_year",
            "source_record_id",
            "source_status",
            "source_url",
        )
    }
    properties["data_source"] = JsonValue(F("data_source__name"))
    properties["license"] = JsonValue(Coalesce(F("data_source__license"), Value("")))
    properties["quality_flags"] = JsonValue(F("quality_flags"))
    properties["is_published"] = JsonValue(F("is_published"))
    properties["created_at"] = JsonInstant(F("created_at"))
    properties["updated_at"] = JsonInstant(F("updated_at"))
    return geojson_feature(feature_id=JsonValue(F("id")), geometry=JsonPoint(F("location")), properties=properties)


def site_features(sites: QuerySet, *, keys: list[str]) -> QuerySet:
    """`sites` (already filtered and narrowed to what the reader may see) as rows of `keys` and their "feature" text."""
    return sites.values(*keys, feature=site_feature())
