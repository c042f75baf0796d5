"""Remediation at scale: the yearly report and the overview, the officer's dashboard and a busy site page.

Run with `.venv/bin/python bench/remediation.py` (MINEREG_PG_PORT names the project-local cluster).
It creates its own database (minereg_bench_remediation), migrates it, generates sites, hazards,
measures with treated areas, and monitoring visits with one SQL statement each (deterministic:
fixed seed), measures medians over several runs, prints the figures and drops the database.
Pages go through Django's test Client in this process (middleware, view, template; no socket).
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg2
from maps import NEW_SITE_COLUMN_VALUES, NEW_SITE_COLUMNS  # bench/maps.py: the site columns to fill

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PORT = os.environ.get("MINEREG_PG_PORT", "5441")
SOCKET = f"/tmp/minereg-pg-{PORT}"
BENCH_DB = "minereg_bench_remediation"
SITES = int(os.environ.get("BENCH_SITES", 100_000))
HAZARDS_PER_SITE = 3
MEASURES_PER_SITE = 2
VISITS_PER_SITE = 2
RUNS = int(os.environ.get("BENCH_RUNS", 7))
COUNTRIES = ["ID", "PH", "VN", "MY", "TH", "MM", "LA", "KH", "TL", "BN", "SG"]


def admin_connection():
    connection = psycopg2.connect(host=SOCKET, port=PORT, user="minereg", dbname="postgres")
    connection.autocommit = True
    return connection


def recreate_database(create: bool) -> None:
    connection = admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            if create:
                cursor.execute(f"CREATE DATABASE {BENCH_DB} OWNER minereg")
    finally:
        connection.close()


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"postgis://minereg@/{BENCH_DB}?host={SOCKET}&port={PORT}"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    os.environ["LOG_LEVEL"] = "ERROR"
    import django

    django.setup()


def timed(function) -> tuple[float, object]:
    function()  # warm: plans, caches, imports
    times, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def generate() -> float:
    """Sites spread over the region, each with hazards, measures (a ~1 ha square) and visits."""
    from django.db import connection

    countries = "ARRAY[" + ",".join(f"'{code}'" for code in COUNTRIES) + "]"
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            f"""
            INSERT INTO sites_minesite (name, alternative_names, country, admin_area, status, mine_type, commodities,
                location, operator, source_record_id, source_record_key, source_status, source_url, quality_flags,
                is_published, created_at, updated_at, {NEW_SITE_COLUMNS})
            SELECT 'Site ' || i, '{{}}', ({countries})[1 + i % {len(COUNTRIES)}], '', 'abandoned', 'unknown', '{{}}',
                ST_SetSRID(ST_MakePoint(95 + random() * 40, -10 + random() * 30), 4326), '', '', '', '', '', '{{}}',
                true, now(), now(), {NEW_SITE_COLUMN_VALUES}
            FROM generate_series(1, {SITES}) AS i
            """
        )
        cursor.execute(
            f"""
            INSERT INTO sites_hazard (site_id, hazard_type, priority, priority_is_approved, status, made_safe_on,
                notes, estimated_cost_currency, quantity_unit, is_published, created_at, updated_at)
            SELECT s.id, 'open_shaft', 1 + (s.id + h) % 3, false,
                CASE WHEN random() < 0.4 THEN 'made_safe' ELSE 'unaddressed' END,
                DATE '2020-01-01' + (random() * 2190)::int, '', '', '', random() < 0.9, now(), now()
            FROM sites_minesite s, generate_series(1, {HAZARDS_PER_SITE}) AS h
            """
        )
        cursor.execute(
            f"""
            INSERT INTO remediation_remediationmeasure (site_id, measure_type, stage, actual_start, actual_end,
                responsible_agency, contractor, funding_source, budget_amount, actual_cost_amount, cost_currency,
                treated_area, treated_area_ha, description, closure_criteria, is_published, created_at, updated_at)
            SELECT site_id, 'revegetation', stage, start_on,
                CASE WHEN stage IN ('completed', 'care') THEN start_on + 200 END, '', '', 'national_fund',
                100000 + (random() * 900000)::int, (random() * 900000)::int, 'USD', area,
                ST_Area(area::geography) / 10000, '', '', random() < 0.9, now(), now()
            FROM (
                SELECT s.id AS site_id,
                    (ARRAY['planned','design','funded','works','completed','care','failed'])[1 + (s.id + m) % 7]
                        AS stage,
                    DATE '2020-01-01' + (random() * 2000)::int AS start_on,
                    ST_Multi(ST_Expand(s.location, 0.0045)) AS area
                FROM sites_minesite s, generate_series(1, {MEASURES_PER_SITE}) AS m
            ) AS generated
            """
        )
        cursor.execute(
            f"""
            INSERT INTO remediation_monitoringvisit (site_id, visited_on, observations, next_visit_due,
                is_published, created_at, updated_at)
            SELECT s.id, DATE '2024-01-01' + v * 180, '', DATE '2024-01-01' + v * 180 + 180, true, now(), now()
            FROM sites_minesite s, generate_series(0, {VISITS_PER_SITE - 1}) AS v
            """
        )
        cursor.execute("ANALYZE")
    return time.perf_counter() - start


def main() -> None:
    recreate_database(create=True)
    try:
        setup_django()
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.test import Client

        from access.models import Membership, Role
        from remediation import overview_report, queries, reports
        from remediation.models import Hazard
        from sites.models import MineSite

        call_command("migrate", verbosity=0)
        seconds = generate()
        print(
            f"generated {SITES:,} sites, {Hazard.objects.count():,} hazards, "
            f"{SITES * MEASURES_PER_SITE:,} measures, {SITES * VISITS_PER_SITE:,} visits in {seconds:.1f} s"
        )

        report_ms, report = timed(lambda: reports.progress_report(country="ID", year=2023))
        print(
            f"report, one country and year: {report_ms:.0f} ms (median of {RUNS}); "
            f"{float(report.hectares_rehabilitated):,.0f} ha rehabilitated"
        )
        all_ms, _ = timed(lambda: reports.progress_report(country="", year=2023))
        print(f"report, all countries: {all_ms:.0f} ms")
        overview_ms, _ = timed(lambda: overview_report.overview(country=""))
        print(f"overview (sites, hazard costs, trend), all countries: {overview_ms:.0f} ms")
        page_ms, response = timed(lambda: Client().get("/reports/"))
        assert response.status_code == 200
        print(f"/reports/ page, all countries, anonymous: {page_ms:.0f} ms")

        officer = User.objects.create_user("bench-officer", password="pw")
        Membership.objects.create(user=officer, role=Role.ENVIRONMENTAL_OFFICER, country="ID")
        client = Client()
        client.force_login(officer)
        dashboard_ms, response = timed(lambda: client.get("/remediation/dashboard/"))
        assert response.status_code == 200
        overdue = queries.overdue_visits(officer, datetime.date.today()).count()
        print(f"dashboard page (officer of ID, {overdue:,} visits overdue): {dashboard_ms:.0f} ms")

        site = MineSite.objects.filter(country="ID").first()
        site_ms, response = timed(lambda: client.get(f"/sites/{site.pk}/"))
        assert response.status_code == 200
        print(f"site page with its remediation section: {site_ms:.0f} ms")
    finally:
        from django.db import connections

        connections.close_all()
        recreate_database(create=False)


if __name__ == "__main__":
    main()
