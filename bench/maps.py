"""Maps at scale: vector tiles at 1M sites and a 200k-polygon layer, the map page's weight, a bbox query.

Run with `make bench-maps PG_PORT=...`. It creates its own database on the project-local cluster
(minereg_bench_maps), migrates it, loads the demo (575 real sites), measures the page, then adds
1M generated sites clustered over Southeast Asia and a 200k-polygon layer with one generate_series
statement each (deterministic: fixed seed, no parallel workers), measures, and drops the database.

The Django figures go through Django's test Client in this process (the full middleware stack,
URL routing, the view, and its one statement: the tile with its subject, the data version and for
a layer its visibility; no HTTP socket). "raw SQL" runs the tile's own statement on the same
connection (JIT off as for the app). The tile cache is bypassed for both; the cached-tile figure
then asks for one tile again and again with the cache on. Django's own time per tile (Django minus
raw SQL) is printed next to the time of the same stack answering without the database.

The bbox figure is the REST API's page of 1,000 sites in the densest box (`/api/sites/?bbox=…`,
anonymous, so published sites) against the same 1,000 features written by one hand-made
json_build_object statement on the same connection, alternating run by run; the bench checks that
both hold the same features and prints their ratio.
"""

import gzip
import json
import logging
import os
import re
import statistics
import sys
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PORT = os.environ.get("MINEREG_PG_PORT", "5441")
SOCKET = f"/tmp/minereg-pg-{PORT}"
BENCH_DB = "minereg_bench_maps"
SITE_COUNT = int(os.environ.get("BENCH_SITES", 1_000_000))
POLYGON_COUNT = int(os.environ.get("BENCH_POLYGONS", 200_000))
ZOOMS = (3, 6, 9, 12, 14)
RUNS = int(os.environ.get("BENCH_RUNS", 15))

# Where the generated sites cluster: (lon, lat, spread in degrees, country), dense mining districts first.
CENTRES = [
    (106.85, -6.20, 0.08, "ID"),  # Jakarta hinterland: the densest cluster, where the tiles are measured
    (115.55, -2.35, 0.6, "ID"),  # South Kalimantan coal
    (117.15, -0.50, 0.5, "ID"),  # East Kalimantan coal
    (121.35, -2.55, 0.5, "ID"),  # Sulawesi nickel
    (103.60, -3.70, 0.6, "ID"),  # South Sumatra coal
    (106.10, -2.20, 0.4, "ID"),  # Bangka tin
    (137.10, -4.05, 0.3, "ID"),  # Papua copper
    (125.80, 9.30, 0.5, "PH"),  # Surigao nickel
    (120.60, 16.40, 0.4, "PH"),  # Benguet gold
    (101.10, 4.60, 0.4, "MY"),  # Kinta tin
    (98.40, 7.90, 0.3, "TH"),  # Phuket tin
    (99.90, 18.50, 0.5, "TH"),  # Lampang lignite
    (107.20, 21.00, 0.3, "VN"),  # Quang Ninh coal
    (105.60, 21.60, 0.4, "VN"),  # Thai Nguyen
    (96.10, 25.60, 0.5, "MM"),  # Hpakant jade
    (95.05, 22.10, 0.4, "MM"),  # Monywa copper
    (102.60, 18.90, 0.5, "LA"),  # Vientiane province
    (104.90, 12.50, 0.6, "KH"),  # Cambodia
    (125.60, -8.70, 0.3, "TL"),  # Timor-Leste
]
STATUSES = ["active", "active", "active", "closed", "abandoned", "proposed", "care_and_maintenance", "orphaned"]
COMMODITIES = ["coal", "nickel", "gold", "tin", "copper", "bauxite", "limestone", "iron_ore"]
LITHOLOGIES = ["basalt", "andesite", "granite", "limestone", "sandstone", "shale", "alluvium", "ultramafic"]
DENSE_SITE_POINT = (106.85, -6.20)
DENSE_POLYGON_POINT = (115.55, -2.35)

# The REST bbox page's reference: the same published sites of the box, first 1,000 by id, as one
# FeatureCollection written by hand with json_build_object (the same members the API answers).
PAGE_SQL = """
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
               'id', id, 'type', 'Feature',
               'geometry', json_build_object('type', 'Point', 'coordinates',
                                             json_build_array(ST_X(location), ST_Y(location))),
               'properties', json_build_object(
                   'name', name, 'alternative_names', alternative_names, 'country', country,
                   'admin_area', admin_area, 'admin_area_override_reason', admin_area_override_reason,
                   'status', status, 'mine_type', mine_type, 'commodities', commodities,
                   'operator', operator, 'opened_year', opened_year, 'closed_year', closed_year,
                   'source_record_id', source_record_id, 'source_status', source_status, 'source_url', source_url,
                   'data_source', source_name, 'license', coalesce(source_license, ''),
                   'quality_flags', quality_flags,
                   'licence_type', licence_type, 'licence_number', licence_number, 'licence_holder', licence_holder,
                   'licence_granted', licence_granted, 'licence_expiry', licence_expiry,
                   'responsible_party', responsible_party, 'responsible_party_kind', responsible_party_kind,
                   'assurance_kind', assurance_kind, 'assurance_amount', assurance_amount::text,
                   'assurance_currency', assurance_currency, 'assurance_holder', assurance_holder,
                   'assurance_expiry', assurance_expiry,
                   'is_published', is_published,
                   'created_at', regexp_replace(to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
                                                '\\.000000$', '') || 'Z',
                   'updated_at', regexp_replace(to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
                                                '\\.000000$', '') || 'Z')) ORDER BY id), '[]'))::text
    FROM (SELECT site.*, source.name AS source_name, source.license AS source_license
          FROM sites_minesite AS site LEFT JOIN sites_datasource AS source ON source.id = site.data_source_id
          WHERE site.is_published AND ST_Intersects(site.location, ST_MakeEnvelope(%s, %s, %s, %s, 4326))
          ORDER BY site.id LIMIT 1000) AS page"""


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    import math

    n = 2**z
    return z, int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def admin_connection():
    connection = psycopg2.connect(host=SOCKET, port=PORT, user="minereg", dbname="postgres")
    connection.autocommit = True
    return connection


def create_database() -> None:
    connection = admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {BENCH_DB} OWNER minereg")
    finally:
        connection.close()


def drop_database() -> None:
    connection = admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    finally:
        connection.close()


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"postgis://minereg@/{BENCH_DB}?host={SOCKET}&port={PORT}"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["API_ANON_THROTTLE_RATE"] = "1000000/minute"  # the bench is not a visitor to throttle
    os.environ["DEBUG"] = "0"
    # The test settings: the real ones with unhashed static files, so no collectstatic is needed.
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    os.environ["LOG_LEVEL"] = "ERROR"
    import django

    django.setup()
    from django.conf import settings

    # As in production, WhiteNoise finds static files in the table it builds at start; the test
    # settings search the static folders on every request instead, for the test server.
    settings.WHITENOISE_AUTOREFRESH = False


def timed(function, runs: int = RUNS) -> tuple[list[float], object]:
    function()  # warm: plans, caches, imports
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def timed_pair(first, second, runs: int = RUNS) -> tuple[list[float], list[float], object, object]:
    """Time two ways of getting the same thing, alternating run by run, so both see the same cache and load."""
    first(), second()  # warm both: plans, caches, imports
    first_times, second_times, first_result, second_result = [], [], None, None
    for _ in range(runs):
        start = time.perf_counter()
        first_result = first()
        middle = time.perf_counter()
        second_result = second()
        end = time.perf_counter()
        first_times.append((middle - start) * 1000)
        second_times.append((end - middle) * 1000)
    return first_times, second_times, first_result, second_result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def page_weight(client) -> tuple[int, int, dict[str, int]]:
    """Bytes of `/`: the HTML plus every script and stylesheet it links (raw, and gzipped as served)."""
    from django.contrib.staticfiles import finders

    html = client.get("/").content
    parts = {"HTML": html}
    for url in re.findall(rb'(?:src|href)="(/static/[^"]+\.(?:js|css))"', html):
        path = finders.find(url.decode().removeprefix("/static/"))
        parts[url.decode()] = Path(path).read_bytes()
    raw = sum(len(body) for body in parts.values())
    compressed = sum(len(gzip.compress(body)) for body in parts.values())
    return raw, compressed, {name: len(body) for name, body in parts.items()}


# Site columns that are NOT NULL without a database default, as a new site's model defaults fill them in
# (names in other languages, the derived admin area, tenure and liability); the raw INSERTs name them here.
NEW_SITE_COLUMNS = (
    "local_names, admin_area_is_derived, admin_area_override_reason, licence_type, licence_number, licence_holder,"
    " responsible_party, responsible_party_kind, assurance_kind, assurance_currency, assurance_holder"
)
NEW_SITE_COLUMN_VALUES = "'{}', false, '', 'unknown', '', '', '', 'unknown', '', '', ''"


def generate_sites(count: int) -> float:
    from django.db import connection

    centres = ", ".join(
        f"({index}, {lon}, {lat}, {spread}, '{country}')" for index, (lon, lat, spread, country) in enumerate(CENTRES)
    )
    # Half of the sites fall in the first (dense) centre, the rest spread over the others.
    sql = f"""
        WITH centre(k, lon, lat, spread, country) AS (VALUES {centres}),
        drawn AS (
            SELECT i, CASE WHEN i % 2 = 0 THEN 0 ELSE 1 + (i / 2) % {len(CENTRES) - 1} END AS k,
                   sqrt(-2 * ln(1 - random())) AS radius, 2 * pi() * random() AS angle
            FROM generate_series(1, {count}) AS i
        )
        INSERT INTO sites_minesite (name, alternative_names, country, admin_area, status, mine_type, commodities,
            location, operator, source_record_id, source_record_key, source_status, source_url, quality_flags,
            is_published, created_at, updated_at, {NEW_SITE_COLUMNS})
        SELECT 'Bench site ' || i, '{{}}', centre.country, '', (ARRAY{STATUSES!r})[1 + i % {len(STATUSES)}],
               'unknown',
               CASE WHEN i % 4 = 0 THEN ARRAY[(ARRAY{COMMODITIES!r})[1 + i % 8], 'gold']
                    ELSE ARRAY[(ARRAY{COMMODITIES!r})[1 + i % 8]] END,
               ST_SetSRID(ST_MakePoint(centre.lon + centre.spread * radius * cos(angle),
                                       centre.lat + centre.spread * radius * sin(angle)), 4326),
               '', '', '', '', '', '{{}}', i % 20 <> 0, now(), now(), {NEW_SITE_COLUMN_VALUES}
        FROM drawn JOIN centre USING (k)"""
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        cursor.execute("SELECT setseed(0.2026)")
        start = time.perf_counter()
        cursor.execute(sql)
        seconds = time.perf_counter() - start
        cursor.execute("ANALYZE sites_minesite")
        cursor.execute("ANALYZE geodata_sitecluster")
    return seconds


def generate_polygon_layer(count: int):
    from django.db import connection

    from geodata import loading
    from geodata.loading import summarise_layer
    from geodata.models import Layer

    layer = Layer.objects.create(
        title="Generated geology (bench)",
        status="ready",
        is_published=True,
        field_schema=[{"name": "LITHOLOGY", "type": "str"}, {"name": "unit_id", "type": "int64"}],
    )
    lon, lat = DENSE_POLYGON_POINT
    # Blobs of 8-24 vertices, 150 m to ~4 km across, most of them small, around one geological province.
    sql = f"""
        INSERT INTO geodata_feature (layer_id, geom, properties, source_index)
        SELECT %s,
               ST_Buffer(ST_SetSRID(ST_MakePoint({lon} + 1.2 * (random() - 0.5) * 2,
                                                 {lat} + 1.2 * (random() - 0.5) * 2), 4326),
                         0.0007 + 0.018 * power(random(), 4), 2 + mod(i, 5)),
               jsonb_build_object('LITHOLOGY', (ARRAY{LITHOLOGIES!r})[1 + mod(i, 8)], 'unit_id', i),
               i
        FROM generate_series(0, {count - 1}) AS i"""
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        cursor.execute("SELECT setseed(0.7)")
        start = time.perf_counter()
        cursor.execute(sql, [layer.pk])
        cursor.execute("ANALYZE geodata_feature")
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        summarise_layer(layer)
        loading.regeneralise(layer)
        cursor.execute("ANALYZE geodata_generalisedfeature")
        generalised = time.perf_counter() - start
    layer.refresh_from_db()
    return layer, loaded, generalised


def raw_tile(sql_and_params) -> bytes:
    """The tile's own statement, prepared once per connection as the application's is."""
    from django.db import connection

    from geodata.prepared import execute_prepared

    sql, params = sql_and_params
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params)
        return bytes(cursor.fetchone()[0] or b"")


def measure_tiles(client, label: str, url_of, sql_of) -> tuple[list[float], list[float], float]:
    """Print one row per zoom; return the django/raw ratios, Django's own ms per tile and the slowest request (ms)."""
    from django.conf import settings

    settings.TILE_CACHE_MAX_TILE_BYTES = -1  # nothing cached: both sides build every tile
    ratios, own_times, slowest = [], [], 0.0
    for z in ZOOMS:
        url = url_of(z)
        django_times, raw_times, response, body = timed_pair(
            lambda url=url: client.get(url), lambda z=z: raw_tile(sql_of(z))
        )
        assert response.status_code == 200, (url, response.status_code)
        assert body == response.content, f"{url}: the view and the raw SQL disagree"
        ratio = statistics.median(django_times) / statistics.median(raw_times)
        ratios.append(ratio)
        own_times.append(statistics.median(django_times) - statistics.median(raw_times))
        slowest = max(slowest, max(django_times))
        print(
            f"{label:<8} z{z:<3} {statistics.median(django_times):9.1f} {p95(django_times):8.1f}"
            f" {statistics.median(raw_times):9.1f} {p95(raw_times):8.1f} {ratio:6.2f} {len(body):10,d}  {url}"
        )
    settings.TILE_CACHE_MAX_TILE_BYTES = 256 * 1024
    return ratios, own_times, slowest


def in_bench_database(run) -> None:
    """Create the bench database, set Django up on it, call `run`, and drop the database, also on failure."""
    create_database()
    try:
        setup_django()
        run()
    finally:
        from django.db import connections

        connections.close_all()
        drop_database()


def main() -> None:
    in_bench_database(run)


def run() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from geodata import layer_tiles
    from geodata.tiles import TileAddress
    from sites import tiles as site_tiles
    from sites.demo import load_demo
    from sites.models import MineSite

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    print(
        f"maps benchmark on database {BENCH_DB} (PostgreSQL port {PORT}, jit={jit}); migrated in "
        f"{time.perf_counter() - started:.1f} s"
    )

    client = Client()
    load_demo()
    weight_small, gzip_small, parts = page_weight(client)
    print(f"demo loaded: {site_tiles.site_count()} published sites; / weighed")

    seconds = generate_sites(SITE_COUNT)
    print(f"generated {SITE_COUNT:,d} sites in one INSERT (clusters kept by the trigger) in {seconds:.1f} s")
    site = MineSite.objects.filter(name="Bench site 2").get()
    edit_times = []
    for status in ("closed", "active") * 5:
        site.status = status
        start = time.perf_counter()
        site.save()  # the trigger moves the site between cluster rows of all 13 zooms and bumps the version
        edit_times.append((time.perf_counter() - start) * 1000)
    print(f"one site edited through the ORM at {SITE_COUNT:,d} sites: median {statistics.median(edit_times):.1f} ms")
    layer, loaded, generalised = generate_polygon_layer(POLYGON_COUNT)
    print(
        f"generated a {layer.feature_count:,d}-polygon layer in {loaded:.1f} s; "
        f"low-zoom copies built in {generalised:.1f} s"
    )
    weight_large, gzip_large, _ = page_weight(client)
    print(f"the map now counts {site_tiles.site_count():,d} published sites")

    print()
    print("tiles over dense areas, ms (Django endpoint through the test Client; raw SQL = the tile's statement)")
    header = f"{'source':<8} {'zoom':<4} {'django med':>10} {'p95':>8} {'raw med':>9} {'p95':>8} {'ratio':>6}"
    print(f"{header} {'bytes':>10}")

    def site_url(z):
        z, x, y = tile_of(*DENSE_SITE_POINT, z)
        return f"/tiles/sites/{z}/{x}/{y}.pbf"

    def site_sql(z):
        return site_tiles.site_tile_sql(TileAddress(*tile_of(*DENSE_SITE_POINT, z)))

    def layer_url(z):
        z, x, y = tile_of(*DENSE_POLYGON_POINT, z)
        return f"/tiles/layers/{layer.pk}/{z}/{x}/{y}.pbf?attribute=LITHOLOGY"

    def layer_sql(z):
        return layer_tiles.layer_tile_sql(
            layer.pk, TileAddress(*tile_of(*DENSE_POLYGON_POINT, z)), attribute="LITHOLOGY"
        )

    site_ratios, site_own, site_slowest = measure_tiles(client, "sites", site_url, site_sql)
    layer_ratios, layer_own, layer_slowest = measure_tiles(client, "polygons", layer_url, layer_sql)
    ratios = site_ratios + layer_ratios
    print(f"slowest single tile request: {max(site_slowest, layer_slowest):.1f} ms")
    own = statistics.median(site_own + layer_own)
    print(f"Django's own time per tile (django - raw SQL, median over zooms): {own:.2f} ms")
    own_tile_line = f"django own ms per tile (median): {own:.2f}"
    logging.getLogger("django.request").setLevel(logging.ERROR)  # 200 refusals, not 200 warnings
    floor_times, response = timed(lambda: client.get("/tiles/sites/23/0/0.pbf"), runs=200)
    assert response.status_code == 400
    print(
        f"the same stack answering without the database (an impossible address, 400): "
        f"median {statistics.median(floor_times):.2f} ms"
    )
    filtered = site_url(6) + "?status=closed&commodity=gold"
    filtered_times, _ = timed(lambda: client.get(filtered))
    print(f"sites z6 filtered (closed, gold): median {statistics.median(filtered_times):.1f} ms")

    cached_url = site_url(9)
    client.get(cached_url)
    cached_times, response = timed(lambda: client.get(cached_url), runs=200)
    assert response.status_code == 200
    etag = response["ETag"]
    not_modified, response = timed(lambda: client.get(cached_url, headers={"If-None-Match": etag}), runs=200)
    assert response.status_code == 304
    print()
    print(
        f"cached tile: median {statistics.median(cached_times):.2f} ms, p95 {p95(cached_times):.2f} ms; "
        f"304 on a matching ETag: median {statistics.median(not_modified):.2f} ms"
    )

    print(
        f"weight of / (HTML + JS + CSS, no base-map tiles): {weight_small / 1024:.1f} KB at 575 sites, "
        f"{weight_large / 1024:.1f} KB at {SITE_COUNT + 575:,d} ({(weight_large - weight_small) / weight_small:+.2%}); "
        f"gzipped {gzip_small / 1024:.1f} / {gzip_large / 1024:.1f} KB"
    )
    print("  " + ", ".join(f"{name.rsplit('/', 1)[-1]} {size / 1024:.1f}" for name, size in parts.items()))

    box = (106.80, -6.25, 106.90, -6.15)
    api_url = "/api/sites/?bbox={},{},{},{}&page_size=1000".format(*box)

    def api_page():
        return client.get(api_url)

    def raw_page():
        with connection.cursor() as cursor:
            cursor.execute(PAGE_SQL, box)
            return cursor.fetchone()[0]

    api_times, raw_times, response, body = timed_pair(api_page, raw_page)
    assert response.status_code == 200, response.content[:300]
    features = response.json()["features"]
    assert json.loads(body)["features"] == features, "the REST page and the raw SQL page disagree"
    print()
    print(
        f"bbox page at {SITE_COUNT:,d} sites, {len(features)} features: REST ({api_url}, one keyset page, "
        f"{len(response.content) / 1024:.0f} KB) median {statistics.median(api_times):.1f} ms, "
        f"p95 {p95(api_times):.1f} ms; the same page in raw SQL ({len(body) / 1024:.0f} KB) median "
        f"{statistics.median(raw_times):.1f} ms, p95 {p95(raw_times):.1f} ms"
    )
    print(
        "api ratio (REST page of 1000 / same page in SQL): "
        f"{statistics.median(api_times) / statistics.median(raw_times):.2f}"
    )
    print(f"tile ratio (django/raw SQL, median over zooms): {statistics.median(ratios):.2f}")
    print(own_tile_line)


if __name__ == "__main__":
    main()
