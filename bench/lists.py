"""The public sites list at 1M sites: each way to reach a page (first, next, middle, previous, last, letter), filtered.

Run with `MINEREG_PG_PORT=5441 .venv/bin/python bench/lists.py`. It reuses bench/maps.py's database
set-up and generator (its own database, dropped at the end), loads no demo, generates BENCH_SITES
sites (1,000,000 by default) and times each page through Django's test Client, after one warm-up.
A page in the middle is the one a reader reaches by following Next from the page before it: the
sites after the site halfway through the order (found once, outside the timing). The generator names
every site "Bench site N", so a letter jump lands at the start (B) or past the end (C); a jump to the
text "Bench site 5" stands for a letter landing in the middle of a real registry's names.
"""

import statistics
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import maps  # noqa: E402  (the bench's shared set-up: database, settings, generator)

RUNS = 5


def after(site) -> str:
    return urlencode({"after": site.name, "after_id": site.pk})


def before(site) -> str:
    return urlencode({"before": site.name, "before_id": site.pk})


def run() -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from access.models import Membership, Role
    from sites import listing
    from sites.models import MineSite

    call_command("migrate", verbosity=0)
    seconds = maps.generate_sites(maps.SITE_COUNT)
    print(f"generated {maps.SITE_COUNT:,d} sites in {seconds:.0f} s")

    def halfway(sites):
        """The site halfway through the list's order (an OFFSET read once, outside the timing)."""
        return sites.order_by("name", "id")[sites.count() // 2]

    published = MineSite.objects.published()
    middle = halfway(published)
    middle_ph = halfway(published.filter(country="PH"))
    filters = {"country": "", "status": "", "commodity": "", "q": ""}

    def link(position, direction: str) -> str:
        """The list's own Next or Previous link from the page at `position`, as the public sees it."""
        page = listing.site_list_page(None, filters, position)
        return "/sites/" + getattr(listing.page_links(page, filters), direction)

    pages = {
        "first page": "/sites/",
        "next (page 2)": link(listing.Position(), "next"),
        "middle page (next)": f"/sites/?{after(middle)}",
        "middle page (previous)": f"/sites/?{before(middle)}",
        "last page": "/sites/?last=1",
        "previous from the last": link(listing.Position(is_last=True), "previous"),
        "letter B (the first)": "/sites/?from=B",
        "letter C (past the end)": "/sites/?from=C",
        "from 'Bench site 5'": "/sites/?from=Bench+site+5",
        "country=PH": "/sites/?country=PH",
        "country=PH, middle": f"/sites/?country=PH&{after(middle_ph)}",
        "country=PH, last page": "/sites/?country=PH&last=1",
        "status=orphaned, middle": f"/sites/?status=orphaned&{after(middle)}",
        "commodity=tin, last page": "/sites/?commodity=tin&last=1",
        "ID+active+gold, middle": f"/sites/?country=ID&status=active&commodity=gold&{after(middle)}",
        "PH+closed+gold (none)": f"/sites/?country=PH&status=closed&commodity=gold&{after(middle_ph)}",
        "search q=site 12345": "/sites/?q=site+12345",
        "search q=bench (all)": "/sites/?q=bench",
        "search q=bench, middle": f"/sites/?q=bench&{after(middle)}",
        "search q=site 5 (1 in 9)": f"/sites/?q=site+5&{after(middle)}",
    }

    uploader = User.objects.create_user("bench-uploader")
    Membership.objects.create(user=uploader, role=Role.SURVEY_UPLOADER, country="ID")
    public, signed_in = Client(), Client()
    signed_in.force_login(uploader)

    print(f"{'sites list':<28} {'median ms':>10} {'max ms':>8} {'sites':>6}")
    medians = []
    for label, url, client in [
        *((label, url, public) for label, url in pages.items()),
        ("uploader (ID drafts), middle", f"/sites/?{after(middle)}", signed_in),
    ]:
        times, response = maps.timed(lambda url=url, client=client: client.get(url), runs=RUNS)
        assert response.status_code == 200, (label, response.status_code)
        shown = response.content.count(b"<tr>") - 1  # the table's rows, less its header
        medians.append(statistics.median(times))
        print(f"{label:<28} {medians[-1]:10.1f} {max(times):8.1f} {shown:6d}")
    print(f"slowest sites page at {maps.SITE_COUNT / 1e6:g}M (ms): {max(medians):.1f}")


if __name__ == "__main__":
    maps.in_bench_database(run)
