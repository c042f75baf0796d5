"""The public map's overlays at scale: remediation-area and hazard tiles, sites coloured by remediation progress.

Run with `MINEREG_PG_PORT=... .venv/bin/python bench/overlays.py` (a few minutes). Like bench/maps.py
it creates its own database (minereg_bench_overlays), migrates it, and drops it at the end. It
generates BENCH_SITES sites (default 100k) clustered over Southeast Asia, one remediation measure
with a treated area of 1-25 ha for every second site and one located hazard per site (40% of
priority 1, a third of them polygons), 80% published, then times the Django tile endpoints
through the test Client with the tile cache off: for the public and for an officer of Indonesia
(who sees drafts and exact places there).
"""

import os
import statistics
import sys

import maps as bench_maps  # bench/maps.py: database set-up, site generation and timing helpers

bench_maps.BENCH_DB = "minereg_bench_overlays"
SITE_COUNT = int(os.environ.get("BENCH_SITES", 100_000))
ZOOMS = (3, 6, 9, 12, 14)


def generate_records() -> tuple[int, int]:
    from django.db import connection

    # Squares of 100-500 m a side, 0-2 km from the site; hazards 0-1 km away.
    measures = """
        INSERT INTO remediation_remediationmeasure (site_id, measure_type, stage, responsible_agency, contractor,
            funding_source, cost_currency, description, closure_criteria, is_published, created_at, updated_at,
            treated_area, treated_area_ha)
        SELECT id, 'revegetation', (ARRAY['planned','design','funded','works','completed','care','failed'])[1 + id % 7],
               '', '', '', '', '', '', id % 5 <> 0, now(), now(),
               ST_Multi(ST_Expand(ST_Translate(location, 0.01 * (random() - 0.5), 0.01 * (random() - 0.5)), side)),
               round(((side * 111000 * 2) ^ 2 / 10000)::numeric, 4)
        FROM (SELECT id, location, 0.0005 + 0.002 * random() AS side FROM sites_minesite WHERE id % 2 = 0) AS chosen"""
    hazards = """
        INSERT INTO sites_hazard (site_id, hazard_type, priority, priority_is_approved, quantity_unit,
            estimated_cost_currency, status, notes, is_published, created_at, updated_at, location)
        SELECT id, 'open_shaft', CASE WHEN id % 5 < 2 THEN 1 WHEN id % 5 < 4 THEN 2 ELSE 3 END, false, '', '',
               'unaddressed', '', id % 5 <> 3, now(), now(),
               CASE WHEN id % 3 = 0 THEN ST_Expand(spot, 0.001) ELSE spot END
        FROM (SELECT id, ST_Translate(location, 0.01 * (random() - 0.5), 0.01 * (random() - 0.5)) AS spot
              FROM sites_minesite) AS placed"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(measures)
        measure_count = cursor.rowcount
        cursor.execute(hazards)
        hazard_count = cursor.rowcount
        cursor.execute("ANALYZE remediation_remediationmeasure")
        cursor.execute("ANALYZE sites_hazard")
    return measure_count, hazard_count


def run() -> None:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from access.models import Membership, Role

    call_command("migrate", verbosity=0)
    seconds = bench_maps.generate_sites(SITE_COUNT)
    measure_count, hazard_count = generate_records()
    print(
        f"overlays benchmark: {SITE_COUNT:,d} sites ({seconds:.1f} s), {measure_count:,d} measures with treated "
        f"areas, {hazard_count:,d} located hazards"
    )
    settings.TILE_CACHE_MAX_TILE_BYTES = -1  # nothing cached: every request builds its tile
    public = Client()
    officer = Client()
    member = User.objects.create_user("bench-officer")
    Membership.objects.create(user=member, role=Role.ENVIRONMENTAL_OFFICER, country="ID")
    officer.force_login(member)
    print(f"{'tiles':<28} {'zoom':<4} {'median ms':>9} {'p95':>8} {'bytes':>9}")
    slowest = 0.0
    for label, client, path, query in [
        ("remediation, public", public, "remediation", ""),
        ("remediation, officer ID", officer, "remediation", ""),
        ("hazards, public", public, "hazards", ""),
        ("hazards, officer ID", officer, "hazards", ""),
        ("sites by progress, public", public, "sites", "?colour=remediation"),
        ("sites by progress, officer", officer, "sites", "?colour=remediation"),
        ("sites by status (reference)", public, "sites", ""),
    ]:
        for z in (*ZOOMS, 16):
            z, x, y = bench_maps.tile_of(*bench_maps.DENSE_SITE_POINT, z)
            url = f"/tiles/{path}/{z}/{x}/{y}.pbf{query}"
            times, response = bench_maps.timed(lambda url=url, client=client: client.get(url), runs=9)
            assert response.status_code == 200, (url, response.status_code)
            slowest = max(slowest, max(times))
            print(
                f"{label:<28} z{z:<3} {statistics.median(times):9.1f} {bench_maps.p95(times):8.1f}"
                f" {len(response.content):9,d}"
            )
    print(f"slowest overlay tile request: {slowest:.1f} ms")


def main() -> None:
    bench_maps.in_bench_database(run)


if __name__ == "__main__":
    sys.exit(main())
