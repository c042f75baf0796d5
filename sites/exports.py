"""Exports of mine sites: the columns of a site download and the data sources behind a set of sites."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from geodata.exports import FORMATS, Column, ExportQuery, export_metadata
from sites.models import DataSource, MineSite

COMMODITY_SEPARATOR = ";"
# Every site download has these columns, in this order (the API's names).
SITE_COLUMNS = [
    Column("id", "s.id", "integer"),
    Column("name", "s.name"),
    Column("country", "s.country"),
    Column("admin_area", "s.admin_area"),
    Column("status", "s.status"),
    Column("mine_type", "s.mine_type"),
    Column("commodities", f"array_to_string(s.commodities, '{COMMODITY_SEPARATOR}')"),
    Column("operator", "s.operator"),
    Column("opened_year", "s.opened_year", "integer"),
    Column("closed_year", "s.closed_year", "integer"),
    Column("source_record_id", "s.source_record_id"),
    Column("licence_type", "s.licence_type"),
    Column("licence_number", "s.licence_number"),
    Column("licence_holder", "s.licence_holder"),
    Column("licence_granted", "to_char(s.licence_granted, 'YYYY-MM-DD')"),
    Column("licence_expiry", "to_char(s.licence_expiry, 'YYYY-MM-DD')"),
    Column("responsible_party", "s.responsible_party"),
    Column("responsible_party_kind", "s.responsible_party_kind"),
    Column("assurance_kind", "s.assurance_kind"),
    Column("assurance_amount", "s.assurance_amount::text"),
    Column("assurance_currency", "s.assurance_currency"),
    Column("assurance_holder", "s.assurance_holder"),
    Column("assurance_expiry", "to_char(s.assurance_expiry, 'YYYY-MM-DD')"),
    Column("source", "d.name"),
    Column("license", "d.license"),
    # UTC to the second, the same text in every format.
    Column("updated_at", """to_char(s.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""),
]


# What a site download draws: the site's point, known for every site, or its outline where one was recorded.
GEOMETRIES = {
    "location": ("mine-sites", "Mine sites", "s.location", "POINT"),
    "footprint": ("mine-site-footprints", "Mine site footprints", "s.footprint", "MULTIPOLYGON"),
}


def site_query(sites: QuerySet[MineSite], *, metadata: dict, geometry: str = "location") -> ExportQuery:
    """The given sites (already limited to what the requester may see and filtered) ordered by id.

    With `geometry="footprint"`, only the sites with a recorded footprint, drawn as it.
    """
    name, _title, geometry_sql, geometry_type = GEOMETRIES[geometry]
    selected, params = sites.order_by().values("id").query.sql_with_params()
    properties = ", ".join(f"'{column.name}', {column.sql}" for column in SITE_COLUMNS)
    return ExportQuery(
        name=name,
        columns=SITE_COLUMNS,
        geometry_sql=geometry_sql,
        from_sql=(
            f"FROM {MineSite._meta.db_table} AS s "
            f"LEFT JOIN {DataSource._meta.db_table} AS d ON d.id = s.data_source_id "
            f"WHERE s.id IN ({selected}) AND {geometry_sql} IS NOT NULL ORDER BY s.id"
        ),
        params=list(params),
        feature_id_sql="s.id",
        properties_sql=f"json_build_object({properties})",
        geometry_types=[geometry_type],
        metadata=metadata,
    )


def site_metadata(
    sites: QuerySet[MineSite], *, filters: dict, registry_url: str, query_url: str, geometry: str = "location"
) -> dict:
    if geometry == "footprint":  # the sources of the sites in the file, not of every site filtered
        sites = sites.filter(footprint__isnull=False)
    return export_metadata(
        title=GEOMETRIES[geometry][1],
        sources=site_sources(sites),
        filters=filters,
        registry_url=registry_url,
        query_url=query_url,
        exported_at=timezone.now(),
    )


def site_sources(sites: QuerySet[MineSite]) -> list[dict]:
    """The data sources of these sites with their licence and attribution, as reuse requires them."""
    sources = DataSource.objects.filter(pk__in=sites.order_by().values("data_source_id")).order_by("name")
    described = [
        {
            "name": source.name,
            "publisher": source.publisher,
            "url": source.url,
            "license": source.license,
            "attribution": source.attribution,
        }
        for source in sources
    ]
    if sites.filter(data_source__isnull=True).exists():
        described.append({"name": "Recorded in the registry", "license": ""})
    return described


def export_url(request, file_format: str, filter_names=None, **fixed) -> str:
    """The absolute URL of the site export in `file_format` with the request's filters (those named, if given).

    `fixed` adds or overrides query parameters, as `geometry="footprint"`.
    """
    query = request.GET.copy()
    for name in list(query):
        if not query.get(name) or (filter_names is not None and name not in filter_names):
            del query[name]
    for name, value in fixed.items():
        query[name] = value
    return request.build_absolute_uri(
        reverse("sites:export", args=[file_format]) + (f"?{query.urlencode()}" if query else "")
    )


def download_links(request, filter_names) -> str:
    """A Link header offering the same selection as downloads, one link per format."""
    return ", ".join(
        f'<{export_url(request, file_format, filter_names)}>; rel="alternate"; type="{content_type}"'
        for file_format, (_, content_type) in FORMATS.items()
    )
