"""The sites' vector tiles: clusters from a trigger-kept table up to z14, then one feature per site.

Why a cluster table: a tile query that groups 1M points still reads every point (~0.4 s at z3), and
pre-generated tiles would have to be rebuilt for every filter combination. `SiteCluster` holds
per-cell counts for zooms 0-14, split by country, status, commodity and publication, so every filter
of the map is answered exactly by summing a few hundred small rows; database triggers keep it in
step with any write to the sites (geodata's migration 0005).
"""

from django.db.models import Sum
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from geodata.tiles import (
    BUFFER,
    EXTENT,
    TileAddress,
    TileError,
    TileRequest,
    source_versions,
    tile_error,
    tile_response,
)
from sites.contributions import SiteColouring, colouring
from sites.forms import MapOptionsForm
from sites.models import MineSite, SiteCluster
from sites.queries import may_see_every_draft

SITES_LAYER = "sites"  # the tiles' layer name, and the source whose version the cluster trigger bumps
CLUSTER_MAX_ZOOM = 14  # up to here sites come from the cluster table; above, one feature per site
CELLS_PER_TILE_SIDE = 16  # must match the grid of geodata's migration 0005
# A cluster's circle is up to 44 px wide: tiles merge 4 x 4 stored cells into one of 64 px, so that
# neighbouring clusters do not pile on top of each other (Leaflet.markercluster gathers within 80 px).
CELLS_PER_CLUSTER_SIDE = 4
# The column ST_AsMVT takes as each feature's MVT id. PostGIS moves that column out of the properties,
# so the id is selected twice: once as this column, once as the `id` property the map reads.
FEATURE_ID = "feature_id"


@require_GET
def site_tile(request, z, x, y):
    filters = {"country": "", "status": "", "commodity": ""}
    colour = ""
    if request.GET:  # building the form costs more than a small tile: only when there is something to check
        form = MapOptionsForm(request.GET)
        if not form.is_valid():
            return JsonResponse({"error": form.error_text()}, status=400)
        filters = {name: form.cleaned_data[name] for name in filters}
        colour = form.cleaned_data["colour"]
    try:
        address = TileAddress.parse(z, x, y)
    except TileError as error:
        return tile_error(error)
    include_drafts = may_see_every_draft(request.user)
    key = f"sites|{address}|{filters['country']}|{filters['status']}|{filters['commodity']}|drafts={include_drafts}"
    sources = (SITES_LAYER,)
    chosen, countries = colouring(colour), []
    if chosen:
        # The category depends on the colouring's records, and on whose drafts this requester sees.
        countries = sorted(chosen.draft_countries(request.user))
        key += f"|{chosen.name}-drafts={','.join(countries)}"
        sources = (SITES_LAYER, *chosen.sources)
    query = site_tile_sql(
        address, include_drafts=include_drafts, colouring=chosen, colouring_countries=countries, **filters
    )
    return tile_response(
        request,
        TileRequest(key=key, query=query, subject=source_versions(*sources)),
        is_public=not include_drafts and not countries,
    )


def site_tile_sql(
    address: TileAddress,
    *,
    country="",
    status="",
    commodity="",
    include_drafts=False,
    colouring: SiteColouring | None = None,
    colouring_countries: list[str] | None = None,
) -> tuple[str, dict]:
    """Sites in one tile: clusters with counts up to z14, then one feature per site (id, status).

    With a `colouring` (and the countries whose drafts count for it; [] for the public), every
    single site also carries the colouring's attribute. Clusters stay neutral: a dominant category
    would hide the sites that differ, and it would need every clustered site's records. A lone
    site's category is one indexed look-up, so tiles stay fast.
    """
    extra = (colouring, colouring_countries or [])
    if address.z <= CLUSTER_MAX_ZOOM:
        return _site_cluster_sql(address, country, status, commodity, include_drafts, extra)
    return _site_point_sql(address, country, status, commodity, include_drafts, extra)


def _colouring_column(site_id_sql: str, extra, params: dict, *, when: str = "true") -> str:
    colouring, countries = extra
    if colouring is None:
        return ""
    params["colouring_countries"] = sorted(countries)
    column = colouring.column_sql(site_id_sql, "colouring_countries")
    return f", CASE WHEN {when} THEN ({column}) END AS {colouring.name}"


def _site_cluster_sql(address, country, status, commodity, include_drafts, extra):
    conditions = ["zoom = %(z)s", "commodity = %(commodity)s", "cx BETWEEN %(cx0)s AND %(cx1)s"]
    conditions.append("cy BETWEEN %(cy0)s AND %(cy1)s")
    conditions += _site_filter_conditions(country, status, include_drafts)
    params = {
        **_site_filter_params(address, country, status),
        "commodity": commodity,
        "cx0": address.x * CELLS_PER_TILE_SIDE,
        "cx1": address.x * CELLS_PER_TILE_SIDE + CELLS_PER_TILE_SIDE - 1,
        "cy0": address.y * CELLS_PER_TILE_SIDE,
        "cy1": address.y * CELLS_PER_TILE_SIDE + CELLS_PER_TILE_SIDE - 1,
    }
    progress = _colouring_column("sid::bigint", extra, params, when="n = 1")
    # The centroid of a cluster is the mean of its sites; a cluster of one site carries that site's id and status.
    # The id is also the feature's MVT id; a cluster of many has none (PostGIS leaves a NULL id unset).
    sql = f"""
        WITH cells AS (
            SELECT sum(n) AS n, sum(sum_x) AS sx, sum(sum_y) AS sy, sum(sum_id) AS sid, max(status) AS status
            FROM {SiteCluster._meta.db_table}
            WHERE {" AND ".join(conditions)}
            GROUP BY cx / {CELLS_PER_CLUSTER_SIDE}, cy / {CELLS_PER_CLUSTER_SIDE}
        )
        SELECT ST_AsMVT(tile, '{SITES_LAYER}', {EXTENT}, 'geom', '{FEATURE_ID}') FROM (
            SELECT n::int AS count,
                   (CASE WHEN n = 1 THEN sid END)::bigint AS id,
                   (CASE WHEN n = 1 THEN sid END)::bigint AS {FEATURE_ID},
                   CASE WHEN n = 1 THEN status END AS status{progress},
                   ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(sx / n, sy / n), 3857),
                                ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true) AS geom
            FROM cells WHERE n > 0
        ) AS tile"""
    return sql, params


def _site_point_sql(address, country, status, commodity, include_drafts, extra):
    conditions = ["location && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326)"]
    conditions += _site_filter_conditions(country, status, include_drafts)
    if commodity:
        conditions.append("commodities @> ARRAY[%(commodity)s]::varchar[]")
    params = {**_site_filter_params(address, country, status), "commodity": commodity, "margin": BUFFER / EXTENT}
    progress = _colouring_column(f"{MineSite._meta.db_table}.id", extra, params)
    sql = f"""
        SELECT ST_AsMVT(tile, '{SITES_LAYER}', {EXTENT}, 'geom', '{FEATURE_ID}') FROM (
            SELECT 1 AS count, id, id AS {FEATURE_ID}, status{progress},
                   ST_AsMVTGeom(ST_Transform(location, 3857),
                                ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true) AS geom
            FROM {MineSite._meta.db_table}
            WHERE {" AND ".join(conditions)}
        ) AS tile"""
    return sql, params


def _site_filter_conditions(country, status, include_drafts) -> list[str]:
    conditions = [] if include_drafts else ["is_published"]
    if country:
        conditions.append("country = %(country)s")
    if status:
        conditions.append("status = %(status)s")
    return conditions


def _site_filter_params(address, country, status) -> dict:
    return {"z": address.z, "x": address.x, "y": address.y, "country": country, "status": status}


def site_count(*, country="", status="", commodity="", include_drafts=False) -> int:
    """How many sites match the map's filters, from the one-cell zoom-0 rows instead of counting the sites."""
    rows = SiteCluster.objects.filter(zoom=0, commodity=commodity)
    if not include_drafts:
        rows = rows.filter(is_published=True)
    if country:
        rows = rows.filter(country=country)
    if status:
        rows = rows.filter(status=status)
    return rows.aggregate(total=Sum("n"))["total"] or 0
