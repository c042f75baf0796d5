"""Load on a running server: people browsing the maps, lists and APIs while officers save monitoring visits.

Run with the load-test venv against a server that is already serving (by default the one `make run`
starts): `.venv-bench/bin/python bench/load.py [--host URL]`, or `make bench-load`.

How it measures:
- locust, used as a library (one local runner, FastHttpUser clients), in this one process; on a
  small machine it shares the CPU with the server, so the figures are those of the pair.
- Browsers (nine in ten users) open the public map `/` and pan it: vector tiles of the sites
  (mostly), treated areas and hazards, at zooms 3-14 around random demo sites or anywhere over
  Southeast Asia; they open the sites list (with a filter, a search or a page number) and site
  pages, a site's popup summary, `/api/sites/?bbox=…` and OGC API items in a box. Officers (one in
  ten) save a monitoring visit through the REST API (`POST /api/visits/`) with a token, then open
  that site's page. Static files are left out: a browser caches them after its first visit.
- Every request is timed from locust's request event; percentiles are exact (nearest rank) over the
  phase. A request fails when it answers anything but 2xx or does not answer at all.
- Phase 1: 20 users for 60 s, each waiting 2-5 s between actions (people browsing).
- Phase 2: the same mix without waiting, 10, 20, 40 then 80 users, 30 s each. Saturation is the
  most requests per second of a step whose p95 (all requests) is at most 300 ms with no errors.
- Phase 3: every visit the server answered 201 for (its id and the unique note the request carried)
  is looked up in the database: each must be there exactly once, under its id.
- The officer is a user named `load-officer` (no password, an environmental officer for Indonesia,
  a token), made by `manage.py shell` against the database of the environment (DATABASE_URL, or
  the project-local cluster as for `make run`): run this with the server's DATABASE_URL. It is
  kept; the run's visits are deleted after the check (`--keep-visits` keeps them).
- The anonymous API throttle counts clients by address, and every user here is 127.0.0.1: serve with
  `API_ANON_THROTTLE_RATE=1000000/minute` or the API answers 429, counted as errors.
"""

import argparse
import datetime
import itertools
import json
import math
import os
import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import gevent
from locust import FastHttpUser, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parent.parent
OFFICER_USERNAME = "load-officer"
OFFICER_COUNTRY = "ID"
SOUTHEAST_ASIA = (92.0, -11.0, 141.0, 28.5)  # lon/lat box of the registry's countries
LATENCY_TARGET_MS = 300.0


# --- the server's database, through the project's own manage.py -------------------------------------------
def manage_shell(code: str) -> dict:
    """Run Python in `manage.py shell` (the project's venv and the environment's database); its last line is JSON."""
    env = dict(os.environ)
    if not env.get("SECRET_KEY") and (ROOT / ".secret_key").exists():
        env["SECRET_KEY"] = (ROOT / ".secret_key").read_text().strip()
    command = [str(ROOT / ".venv/bin/python"), "manage.py", "shell", "--no-imports", "-c", code]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"manage.py shell failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


SETUP = f"""
import json
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from access.models import Membership, Role
from sites.models import MineSite
officer, _ = User.objects.get_or_create(username={OFFICER_USERNAME!r})
if officer.has_usable_password():
    officer.set_unusable_password()
    officer.save()
Membership.objects.get_or_create(user=officer, country={OFFICER_COUNTRY!r}, role=Role.ENVIRONMENTAL_OFFICER)
token, _ = Token.objects.get_or_create(user=officer)
sites = MineSite.objects.filter(is_published=True).order_by("id")
print(json.dumps({{
    "token": token.key,
    "sites": [[pk, point.x, point.y] for pk, point in sites.values_list("id", "location")],
    "officer_sites": list(sites.filter(country={OFFICER_COUNTRY!r}).values_list("id", flat=True)),
}}))
"""

CHECK = """
import json
from django.db.models import Count
from remediation.models import MonitoringVisit
visits = MonitoringVisit.objects.filter(observations__startswith={prefix!r})
by_note = dict(visits.values_list("observations").annotate(n=Count("id")).values_list("observations", "n"))
ids = dict(visits.values_list("id", "observations"))
deleted = visits.delete()[1].get("remediation.MonitoringVisit", 0) if {delete!r} else 0
print(json.dumps({{"by_note": by_note, "ids": {{str(pk): note for pk, note in ids.items()}}, "deleted": deleted}}))
"""


# --- what the users do -------------------------------------------------------------------------------------
@dataclass
class Run:
    """What the users need to know (the demo's sites, the officer's token) and what they record."""

    token: str = ""
    sites: list = field(default_factory=list)  # [id, lon, lat] of published sites
    officer_sites: list = field(default_factory=list)
    note_prefix: str = ""
    saved_visits: list = field(default_factory=list)  # (id, note) of every visit answered 201
    notes: itertools.count = field(default_factory=itertools.count)
    think_seconds: tuple = (2.0, 5.0)


RUN = Run()


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def random_place() -> tuple[float, float]:
    """Near a demo site two times in three (where people look), else anywhere over the region."""
    if random.random() < 2 / 3:
        _, lon, lat = random.choice(RUN.sites)
        return lon + random.uniform(-0.3, 0.3), lat + random.uniform(-0.3, 0.3)
    west, south, east, north = SOUTHEAST_ASIA
    return random.uniform(west, east), random.uniform(south, north)


def random_box() -> str:
    lon, lat = random_place()
    half = random.choice([0.1, 0.5, 2.0])
    return f"{lon - half:.4f},{lat - half:.4f},{lon + half:.4f},{lat + half:.4f}"


def think(user) -> float:
    low, high = RUN.think_seconds
    return random.uniform(low, high) if high else 0


class Browser(FastHttpUser):
    """Someone from the public: the map, its tiles and popups, the sites list and pages, the APIs."""

    weight = 9
    wait_time = think

    def view_map(self, tiles: int) -> None:
        """A map view: its tiles (Leaflet asks for about a screenful at once), mostly sites."""
        z = random.randint(3, 14)
        x0, y0 = tile_of(*random_place(), z)
        source = random.choices(["sites", "remediation", "hazards"], weights=[6, 1, 1])[0]
        for dx, dy in itertools.islice(itertools.product((0, 1, -1), (0, 1, -1)), tiles):
            x, y = (x0 + dx) % 2**z, min(max(y0 + dy, 0), 2**z - 1)
            self.client.get(f"/tiles/{source}/{z}/{x}/{y}.pbf", name=f"tile {source}")

    @task(2)
    def open_map(self):
        self.client.get("/", name="page /")
        self.view_map(tiles=6)

    @task(4)
    def pan_map(self):
        self.view_map(tiles=4)
        if random.random() < 0.5:
            self.client.get(f"/sites/{random.choice(RUN.sites)[0]}.json", name="api site summary")

    @task(2)
    def sites_list(self):
        query = random.choice(["", "?country=ID", "?status=closed", "?q=coal", "?page=3", "?country=VN"])
        self.client.get(f"/sites/{query}", name="page /sites/")

    @task(3)
    def site_page(self):
        self.client.get(f"/sites/{random.choice(RUN.sites)[0]}/", name="page /sites/<id>/")

    @task(1)
    def api_sites_in_box(self):
        self.client.get(f"/api/sites/?bbox={random_box()}", name="api /api/sites/?bbox")

    @task(1)
    def ogc_items(self):
        collection = random.choices(["sites", "hazards", "remediation-areas"], weights=[4, 1, 1])[0]
        self.client.get(f"/ogc/collections/{collection}/items?bbox={random_box()}&limit=50", name="ogc items")


class Officer(FastHttpUser):
    """An environmental officer of Indonesia saving monitoring visits, then looking at the site."""

    weight = 1
    wait_time = think

    @task
    def save_visit(self):
        site = random.choice(RUN.officer_sites)
        note = f"{RUN.note_prefix}{next(RUN.notes)}"
        visit = {
            "site": site,
            "visited_on": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(),
            "observations": note,
            "measurements": [{"parameter": "ph", "value": round(random.uniform(4, 8), 2), "unit": "pH"}],
        }
        headers = {"Authorization": f"Token {RUN.token}"}
        with self.client.post(
            "/api/visits/", json=visit, headers=headers, name="visit POST /api/visits/", catch_response=True
        ) as response:
            if response.status_code == 201:
                RUN.saved_visits.append((response.json()["id"], note))
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")
        self.client.get(f"/sites/{site}/", name="page /sites/<id>/")


# --- running and reading a phase ---------------------------------------------------------------------------
def kind(name: str) -> str:
    return name.split(" ", 1)[0]  # page, tile, api, ogc, visit


@dataclass
class Phase:
    users: int
    seconds: float
    times_ms: dict = field(default_factory=dict)  # request name -> response times
    errors: dict = field(default_factory=dict)  # request name -> failures
    error_samples: set = field(default_factory=set)
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return sum(len(times) for times in self.times_ms.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.elapsed

    def times(self, *kinds: str) -> list[float]:
        return [t for name, times in self.times_ms.items() if not kinds or kind(name) in kinds for t in times]


def p95(times: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    if not times:
        return float("nan")
    ordered = sorted(times)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def run_phase(host: str, users: int, seconds: float) -> Phase:
    phase = Phase(users, seconds)

    def on_request(name, response_time, exception, **_):
        phase.times_ms.setdefault(name, []).append(response_time)
        if exception:
            phase.errors[name] = phase.errors.get(name, 0) + 1
            if len(phase.error_samples) < 5:
                phase.error_samples.add(f"{name}: {str(exception)[:160]}")

    environment = Environment(user_classes=[Browser, Officer], host=host)
    environment.events.request.add_listener(on_request)
    runner = environment.create_local_runner()
    started = time.monotonic()
    runner.start(users, spawn_rate=users)
    gevent.sleep(seconds)
    runner.stop()
    phase.elapsed = time.monotonic() - started
    runner.quit()
    return phase


def print_phase(title: str, phase: Phase) -> None:
    print(f"\n{title}: {phase.users} users, {phase.elapsed:.0f} s")
    print(f"  {'request':<28} {'count':>7} {'errors':>6} {'median ms':>10} {'p95 ms':>8}")
    for name in sorted(phase.times_ms):
        times = phase.times_ms[name]
        median = sorted(times)[len(times) // 2]
        print(f"  {name:<28} {len(times):>7} {phase.errors.get(name, 0):>6} {median:>10.1f} {p95(times):>8.1f}")
    print(
        f"  all: {phase.requests} requests, {phase.error_count} errors, {phase.per_second:.1f} requests/s, "
        f"p95 {p95(phase.times()):.1f} ms (pages {p95(phase.times('page')):.1f}, tiles {p95(phase.times('tile')):.1f})"
    )
    for sample in sorted(phase.error_samples):
        print(f"  error: {sample}")
    if any("429" in sample for sample in phase.error_samples):
        print("  (429: the anonymous API throttle; serve with API_ANON_THROTTLE_RATE=1000000/minute)")


def check_visits(delete: bool) -> tuple[int, list[str]]:
    """Every visit answered 201 is in the database exactly once, under the id it was answered with."""
    stored = manage_shell(CHECK.format(prefix=RUN.note_prefix, delete=delete))
    problems = []
    for pk, note in RUN.saved_visits:
        if stored["by_note"].get(note, 0) != 1:
            problems.append(f"visit {pk} ({note}) is stored {stored['by_note'].get(note, 0)} times")
        elif stored["ids"].get(str(pk)) != note:
            problems.append(f"visit {pk} ({note}) is not stored under its id")
    answered = {note for _, note in RUN.saved_visits}
    unanswered = [note for note in stored["by_note"] if note not in answered]
    if unanswered:  # a save whose answer was lost (e.g. cut off at a phase's end) is not a duplicate
        print(f"  {len(unanswered)} visits stored without a 201 reaching the client (cut off at a phase's end)")
    return stored["deleted"], problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="http://127.0.0.1:8000", help="the running server (default: make run's)")
    parser.add_argument("--users", type=int, default=20, help="phase 1: browsing users")
    parser.add_argument("--seconds", type=float, default=60, help="phase 1: its length")
    parser.add_argument("--steps", default="10,20,40,80", help="phase 2: users per step, without think time")
    parser.add_argument("--step-seconds", type=float, default=30, help="phase 2: the length of each step")
    parser.add_argument("--keep-visits", action="store_true", help="keep the run's visits in the database")
    options = parser.parse_args()
    host = options.host.rstrip("/")

    setup = manage_shell(SETUP)
    RUN.token, RUN.sites, RUN.officer_sites = setup["token"], setup["sites"], setup["officer_sites"]
    if not RUN.sites or not RUN.officer_sites:
        sys.exit(f"No published sites (or none in {OFFICER_COUNTRY}) in this database: load the demo first.")
    RUN.note_prefix = f"load-{uuid.uuid4().hex[:12]}-"
    print(f"load on {host}: {len(RUN.sites)} published sites, visits noted {RUN.note_prefix}N")

    RUN.think_seconds = (2.0, 5.0)
    browsing = run_phase(host, options.users, options.seconds)
    print_phase("phase 1, browsing (2-5 s between actions)", browsing)

    RUN.think_seconds = (0.0, 0.0)
    saturation = 0.0
    for users in [int(step) for step in options.steps.split(",")]:
        step = run_phase(host, users, options.step_seconds)
        print_phase("phase 2, no think time", step)
        if step.error_count == 0 and p95(step.times()) <= LATENCY_TARGET_MS:
            saturation = max(saturation, step.per_second)

    print(f"\nphase 3, visits: {len(RUN.saved_visits)} answered 201")
    deleted, problems = check_visits(delete=not options.keep_visits)
    for problem in problems:
        print(f"  {problem}")
    print("  CHECK FAILED" if problems else "  each stored exactly once, under its id")
    if deleted:
        print(f"  {deleted} visits of this run deleted")

    print(
        f"\nload: {browsing.requests} requests, {browsing.error_count} errors, "
        f"p95 pages {p95(browsing.times('page')):.0f} ms, p95 tiles {p95(browsing.times('tile')):.0f} ms, "
        f"saturation {saturation:.0f} requests/s"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
