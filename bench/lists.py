"""The public sites list at 1M sites: first, middle and last pages, a country filter and a name search.

Run with `MINEREG_PG_PORT=5441 .venv/bin/python bench/lists.py`. It reuses bench/maps.py's database
set-up and generator (its own database, dropped at the end), loads no demo, generates BENCH_SITES
sites (1,000,000 by default) and times each page through Django's test Client, after one warm-up.
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import maps  # noqa: E402  (the bench's shared set-up: database, settings, generator)

RUNS = 5


def run() -> None:
    from django.core.management import call_command
    from django.test import Client

    from sites.listing import SITES_PER_PAGE
    from sites.models import MineSite

    call_command("migrate", verbosity=0)
    seconds = maps.generate_sites(maps.SITE_COUNT)
    print(f"generated {maps.SITE_COUNT:,d} sites in {seconds:.0f} s")
    client = Client()
    last = -(-MineSite.objects.published().count() // SITES_PER_PAGE)
    last_ph = -(-MineSite.objects.published().filter(country="PH").count() // SITES_PER_PAGE)
    pages = {
        "first page": "/sites/",
        "page 2": "/sites/?page=2",
        "middle page": f"/sites/?page={last // 2}",
        "last page": f"/sites/?page={last}",
        "country=PH": "/sites/?country=PH",
        "country=PH, last page": f"/sites/?country=PH&page={last_ph}",
        "search q=site 12345": "/sites/?q=site+12345",
    }
    print(f"{'sites list':<26} {'median ms':>10} {'max ms':>8}")
    for label, url in pages.items():
        times = maps.timed(lambda url=url: client.get(url), runs=RUNS)[0]
        print(f"{label:<26} {statistics.median(times):10.1f} {max(times):8.1f}")


if __name__ == "__main__":
    maps.in_bench_database(run)
