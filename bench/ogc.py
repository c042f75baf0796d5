"""OGC API – Features items at 1M sites: first pages, deep pages by `next` link and by offset, bbox pages.

Run with `MINEREG_PG_PORT=... .venv/bin/python bench/ogc.py` (a few minutes). Like bench/maps.py it
creates its own database (minereg_bench_ogc), migrates it, generates BENCH_SITES sites (default 1M,
95% published) clustered over Southeast Asia, and drops the database at the end. Requests go through
Django's test Client in this process (middleware, routing, the view, the queries; no HTTP socket).
For comparison it also times what each page used to cost on top: an exact count(*) of the matches.
"""

import os
import statistics
import sys

import maps as bench_maps  # bench/maps.py: database set-up, site generation and timing helpers

bench_maps.BENCH_DB = "minereg_bench_ogc"
SITE_COUNT = int(os.environ.get("BENCH_SITES", 1_000_000))
RUNS = int(os.environ.get("BENCH_RUNS", 15))
ITEMS = "/ogc/collections/sites/items"
DENSE_BOX = "106.80,-6.25,106.90,-6.15"  # around the densest generated cluster (Jakarta hinterland)


def run() -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.test import Client

    from geodata.bbox import bbox_polygon, parse_bbox
    from sites.queries import visible_sites

    call_command("migrate", verbosity=0)
    seconds = bench_maps.generate_sites(SITE_COUNT)
    print(f"ogc benchmark on {bench_maps.BENCH_DB}: {SITE_COUNT:,d} sites generated in {seconds:.0f} s")
    client = Client()

    def get(url):
        response = client.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content[:300]
        return response.json()

    deep = SITE_COUNT * 9 // 10
    deep_after = get(f"{ITEMS}?limit=1&offset={deep}")["features"][0]["id"]
    cases = {
        "first page, limit 100": f"{ITEMS}?limit=100",
        "first page, limit 1000": f"{ITEMS}?limit=1000",
        "deep page by next link (after=), limit 100": f"{ITEMS}?limit=100&after={deep_after}",
        f"deep page by offset {deep:,d}, limit 100": f"{ITEMS}?limit=100&offset={deep}",
        "bbox 0.1 degree, dense area, limit 100": f"{ITEMS}?limit=100&bbox={DENSE_BOX}",
    }
    print(f"{'request':46s} {'median ms':>10s} {'p95 ms':>8s}  numberMatched")
    for label, url in cases.items():
        times, body = bench_maps.timed(lambda url=url: get(url), runs=RUNS)
        matched = body.get("numberMatched", "left out")
        print(f"{label:46s} {statistics.median(times):10.1f} {bench_maps.p95(times):8.1f}  {matched}")

    everything = visible_sites(AnonymousUser())
    in_box = everything.filter(location__intersects=bbox_polygon(parse_bbox(DENSE_BOX)))
    for label, rows in (("exact count(*), all published", everything), ("exact count(*), bbox", in_box)):
        times, count = bench_maps.timed(rows.count, runs=RUNS)
        print(f"{label:46s} {statistics.median(times):10.1f} {bench_maps.p95(times):8.1f}  {count:,d}")


def main() -> None:
    bench_maps.in_bench_database(run)


if __name__ == "__main__":
    sys.exit(main())
