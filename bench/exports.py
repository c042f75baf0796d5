"""Export benchmark: rows per second and peak memory of each download format, at two sizes.

Generates a layer of polygons (8 vertices each, three attributes) inside PostGIS with one
`INSERT … SELECT … generate_series` (fixed layout, no randomness), then downloads it in every
format through Django's test Client in this process (URL routing, the view, the server-side
cursor, the writers; no socket). The body is read and thrown away chunk by chunk, as a client
would save it. Each format is measured on a quarter of the layer (a bbox) and on the whole
layer: if memory stays flat, the two peaks are close whatever the row count.

Peak memory is Python's (tracemalloc, reset per download); GDAL's own buffers are outside it,
so the process's high-water mark (ru_maxrss) is printed too.

    .venv/bin/python bench/exports.py [--features 200000]

Uses DATABASE_URL or the project-local cluster (MINEREG_PG_PORT), like manage.py; removes the
layer it created, also on failure.
"""

import argparse
import logging
import os
import resource
import secrets
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# A throwaway key when none is set: the benchmark signs nothing that outlives it.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from geodata.exports import FORMATS  # noqa: E402
from geodata.loading import summarise_layer  # noqa: E402
from geodata.models import Feature, Layer  # noqa: E402

# The features fill a square grid over this box; a quarter of it is the small export.
EXTENT = (100.0, -10.0, 130.0, 20.0)


def make_layer(count: int) -> Layer:
    layer = Layer.objects.create(
        title=f"bench-exports-{secrets.token_hex(4)}", agency="Benchmark", is_published=True, status="ready"
    )
    side = int(count**0.5) + 1
    minx, miny, maxx, maxy = EXTENT
    step = (maxx - minx) / side
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Feature._meta.db_table} (layer_id, geom, properties, source_index)
                SELECT %s, ST_Buffer(ST_MakePoint(%s + (i %% %s + 0.5) * %s, %s + (i / %s + 0.5) * %s), %s, 2),
                       jsonb_build_object('block_name', 'block ' || i, 'measurement', i * 1.5, 'rank', i %% 7),
                       i
                FROM generate_series(0, %s - 1) AS i""",
            [layer.pk, minx, side, step, miny, side, step, step * 0.4, count],
        )
        cursor.execute(f"ANALYZE {Feature._meta.db_table}")  # as autovacuum would: plans need the new rows' statistics
    layer.field_schema = [
        {"name": "block_name", "type": "string"},
        {"name": "measurement", "type": "float"},
        {"name": "rank", "type": "integer"},
    ]
    layer.save()
    summarise_layer(layer)
    return layer


def download(client: Client, url: str) -> tuple[int, float, float]:
    """Bytes received, seconds, and Python's peak memory in MB during the download (when traced)."""
    if tracemalloc.is_tracing():
        tracemalloc.reset_peak()
    start = time.perf_counter()
    response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == 200, (url, response.status_code)
    size = 0
    for chunk in response.streaming_content if response.streaming else [response.content]:
        size += len(chunk)
    response.close()
    seconds = time.perf_counter() - start
    return size, seconds, tracemalloc.get_traced_memory()[1] / 1e6 if tracemalloc.is_tracing() else 0.0


def feature_count(layer: Layer, bbox: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {Feature._meta.db_table} "
            "WHERE layer_id = %s AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
            [layer.pk, *map(float, bbox.split(","))],
        )
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=200_000)
    arguments = parser.parse_args()
    logging.getLogger("pyogrio").setLevel(logging.WARNING)  # one line per chunk written otherwise

    print(f"generating {arguments.features:,} polygons …", flush=True)
    layer = make_layer(arguments.features)
    try:
        minx, miny, maxx, maxy = EXTENT
        quarter = f"{minx},{miny},{(minx + maxx) / 2},{(miny + maxy) / 2}"
        sizes = [("quarter", f"?bbox={quarter}", feature_count(layer, quarter)), ("whole", "", layer.feature_count)]
        client = Client()
        # The first request of a process pays for imports and GDAL's drivers: not part of any figure.
        download(client, f"/layers/{layer.pk}/download.gpkg?bbox={minx},{miny},{minx + 1},{miny + 1}")
        tracemalloc.start()
        header = f"{'format':8} {'part':8} {'rows':>9} {'MB':>8} {'s':>7} {'rows/s':>9}"
        print(f"{header} {'peak py MB':>11} {'maxrss MB':>10}")
        for file_format in FORMATS:
            for part, query, rows in sizes:
                url = f"/layers/{layer.pk}/download.{file_format}{query}"
                size, seconds, peak = download(client, url)
                maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(
                    f"{file_format:8} {part:8} {rows:9,} {size / 1e6:8.1f} {seconds:7.2f} "
                    f"{rows / seconds:9,.0f} {peak:11.1f} {maxrss:10.0f}",
                    flush=True,
                )
    finally:
        layer.delete()


if __name__ == "__main__":
    main()
