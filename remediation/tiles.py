"""Remediation's vector tiles: treated areas and hazards, and what a click on one of them shows.

Both read querysets already narrowed by access.visibility, so the tiles follow the same rules as
the site page. The tables are small (thousands of rows), so shapes are simplified on the fly; below
z12 one feature per 4 x 4 pixels keeps low-zoom tiles small. The CTEs are MATERIALIZED: inlined,
PostgreSQL would reproject each shape once per use (~10x slower), and reprojects only what
thinning keeps. Hazards are placed by remediation.placement, as every other surface places them.
"""

import json

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import F, QuerySet
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from access.visibility import draft_countries, visible
from geodata.tiles import (
    BUFFER,
    EXTENT,
    TileAddress,
    TileError,
    TileRequest,
    drawn_shape,
    inline_sql,
    lonlat_envelope,
    mercator_centre,
    shape_params,
    source_versions,
    thinned,
    tile_error,
    tile_response,
    tile_size_m,
)
from remediation import placement, queries
from remediation.models import Hazard, RemediationMeasure
from sites.tiles import FEATURE_ID, SITES_LAYER

# The tiles' layer names, and the sources whose versions the tables' triggers bump (geodata's migration 0007).
REMEDIATION_SOURCE = "remediation"
HAZARDS_SOURCE = "hazards"


@require_GET
def remediation_tile(request, z, x, y):
    """Treated areas of the measures the requester may see (drafts only for their countries' members)."""
    try:
        address = TileAddress.parse(z, x, y)
    except TileError as error:
        return tile_error(error)
    countries = sorted(draft_countries(request.user, RemediationMeasure))
    measures = visible(RemediationMeasure.objects.all(), request.user)
    tile_request = TileRequest(
        key=f"remediation|{address}|drafts={','.join(countries)}",
        query=remediation_tile_sql(address, measures),
        subject=source_versions(REMEDIATION_SOURCE, SITES_LAYER),
    )
    return tile_response(request, tile_request, is_public=not countries)


@require_GET
def remediation_feature(request, pk):
    """One treated area's measure, for a click on the remediation tiles."""
    measures = visible(RemediationMeasure.objects.select_related("site", "signed_off_by"), request.user)
    measure = get_object_or_404(measures, pk=pk)
    return JsonResponse(queries.measure_summary(measure, request.user))


@require_GET
def hazard_tile(request, z, x, y):
    """Hazards the requester may see; priority 1 generalised to ~1 km outside their own countries."""
    try:
        address = TileAddress.parse(z, x, y)
    except TileError as error:
        return tile_error(error)
    countries = sorted(draft_countries(request.user, Hazard))
    exact_countries = placement.countries_seeing_exact_places(request.user)
    hazards = visible(Hazard.objects.all(), request.user)
    tile_request = TileRequest(
        key=f"hazards|{address}|drafts={','.join(countries)}|exact={','.join(sorted(exact_countries))}",
        query=hazard_tile_sql(address, hazards, exact_countries=exact_countries),
        subject=source_versions(HAZARDS_SOURCE, SITES_LAYER),
    )
    # Exact places of dangerous openings are for their officers only: never in a shared cache.
    return tile_response(request, tile_request, is_public=not countries and not exact_countries)


@require_GET
def hazard_feature(request, pk):
    """One hazard, for a click on the hazard tiles: placed as the tiles place it."""
    exact_countries = placement.countries_seeing_exact_places(request.user)
    hazards = visible(Hazard.objects.select_related("site"), request.user).annotate(
        shown_geojson=AsGeoJSON(placement.shown_location(exact_countries), precision=6)
    )
    hazard = get_object_or_404(hazards, pk=pk)
    generalised = placement.must_generalise(hazard, exact_countries)
    location = json.loads(hazard.shown_geojson) if hazard.shown_geojson else None
    return JsonResponse(queries.hazard_summary(hazard, location, generalised=generalised))


def remediation_tile_sql(address: TileAddress, measures: QuerySet) -> tuple[str, dict]:
    """Treated areas of `measures`: measure `id` (also the MVT feature id), `site`, `stage` and `hectares`."""
    rows = (
        measures.filter(treated_area__isnull=False, treated_area__bboverlaps=lonlat_envelope(address))
        .order_by()
        .values("id", "treated_area_ha", "treated_area")
    )
    params = shape_params(address)
    sql = f"""
        WITH candidates AS MATERIALIZED (
            SELECT id, -treated_area_ha AS rank, {mercator_centre("treated_area::geometry")}
            FROM ({inline_sql(rows)}) AS visible_measures
        ), kept AS MATERIALIZED ({thinned("candidates", address)}
        ), projected AS MATERIALIZED (
            SELECT id, site_id, stage, treated_area_ha, ST_Transform(treated_area, 3857) AS g
            FROM kept JOIN {RemediationMeasure._meta.db_table} USING (id)
        )
        SELECT ST_AsMVT(tile, '{REMEDIATION_SOURCE}', {EXTENT}, 'geom', '{FEATURE_ID}') FROM (
            SELECT id, id AS {FEATURE_ID}, site_id AS site, stage, treated_area_ha::float8 AS hectares,
                   ST_AsMVTGeom({drawn_shape("g")}, ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true)
                   AS geom
            FROM projected
        ) AS tile WHERE geom IS NOT NULL"""
    return sql, params


def hazard_tile_sql(address: TileAddress, hazards: QuerySet, *, exact_countries: set[str]) -> tuple[str, dict]:
    """Located hazards of `hazards`: `id` (also the MVT feature id), `type`, `priority`, `status`, `generalised`.

    Priority-1 hazards of a country outside `exact_countries` are generalised: one point at the
    1 km grid node nearest their centre (polygons too). Which tile shows one depends only on that
    point: the search reaches a kilometre beyond the tile, and the tile keeps what falls inside it;
    at low zoom, which hazards a crowded cell keeps is decided on the snapped centres too.
    """
    margin_m = BUFFER / EXTENT * tile_size_m(address.z) + placement.SNAP_M
    rows = (
        hazards.filter(location__isnull=False, location__bboverlaps=lonlat_envelope(address, margin_m=margin_m))
        .order_by()
        .values("id", "priority", "location", country=F("site__country"))
    )
    params = {**shape_params(address), "exact": sorted(exact_countries)}
    sql = f"""
        WITH candidates AS MATERIALIZED (
            SELECT id, generalised, priority AS rank,
                   CASE WHEN generalised THEN {placement.snapped_coordinate_sql("mx")} ELSE mx END AS mx,
                   CASE WHEN generalised THEN {placement.snapped_coordinate_sql("my")} ELSE my END AS my
            FROM (
                SELECT id, priority, {mercator_centre("location::geometry")},
                       {placement.generalised_sql("priority", "country", "exact")} AS generalised
                FROM ({inline_sql(rows)}) AS visible_hazards
            ) AS centred
        ), kept AS MATERIALIZED ({thinned("candidates", address)}
        ), projected AS MATERIALIZED (
            SELECT id, hazard_type, priority, status, generalised, ST_Transform(location, 3857) AS g
            FROM kept JOIN {Hazard._meta.db_table} USING (id)
        )
        SELECT ST_AsMVT(tile, '{HAZARDS_SOURCE}', {EXTENT}, 'geom', '{FEATURE_ID}') FROM (
            SELECT id, id AS {FEATURE_ID}, hazard_type AS type, priority, status, generalised,
                   ST_AsMVTGeom(CASE WHEN generalised THEN {placement.snapped_sql("g")} ELSE {drawn_shape("g")} END,
                                ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true) AS geom
            FROM projected
        ) AS tile WHERE geom IS NOT NULL"""
    return sql, params
