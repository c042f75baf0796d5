"""Published sites counted per country, status and commodity, read from the cluster table.

The zoom-0 rows of `SiteCluster` already hold these counts (a trigger keeps them), so a report of a
million sites reads a few hundred rows instead of the sites.
"""

from django.db.models import Sum

from sites.models import SiteCluster

ALL_COMMODITIES = ""  # the cluster rows with this commodity count every site, whatever it produces


def published_site_counts(*, country: str = "") -> list[tuple[str, str, str, int]]:
    """(country, status, commodity, sites) for every combination that has published sites.

    Commodity `ALL_COMMODITIES` counts each site once; the other rows count the sites having that
    commodity, so a site producing tin and copper is counted under both.
    """
    rows = SiteCluster.objects.filter(zoom=0, is_published=True)
    if country:
        rows = rows.filter(country=country)
    counted = (
        rows.values("country", "status", "commodity")
        .annotate(sites=Sum("n"))
        .filter(sites__gt=0)
        .order_by("country", "status", "commodity")
    )
    return [(row["country"], row["status"], row["commodity"], row["sites"]) for row in counted]
