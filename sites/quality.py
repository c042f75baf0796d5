"""Find known defects in site records and flag them on the sites (never hide or fix them silently).

The one write path of the quality flags, run after every inventory import and by the demo.
"""

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from geodata.outlines import COUNTRY_OUTLINES_SLUG
from sites.models import MineSite, QualityFlag

# Each check is one SQL query returning the ids of sites that have the defect.
CHECKS = {
    QualityFlag.DUPLICATE_SOURCE_ID: """
        SELECT id FROM sites_minesite s
        WHERE source_record_id <> '' AND EXISTS (
            SELECT 1 FROM sites_minesite o
            WHERE o.data_source_id = s.data_source_id AND o.source_record_id = s.source_record_id AND o.id <> s.id)
    """,
    QualityFlag.DUPLICATE_COORDINATES: """
        SELECT id FROM sites_minesite s
        WHERE EXISTS (SELECT 1 FROM sites_minesite o WHERE o.location ~= s.location AND o.id <> s.id)
    """,
    # Outside every country outline of the shipped reference layer (skipped when that layer is absent).
    QualityFlag.OUTSIDE_LAND: """
        SELECT s.id FROM sites_minesite s
        WHERE EXISTS (SELECT 1 FROM geodata_layer WHERE slug = %(outlines)s AND feature_count > 0)
          AND NOT EXISTS (
            SELECT 1 FROM geodata_feature f JOIN geodata_layer l ON l.id = f.layer_id
            WHERE l.slug = %(outlines)s AND ST_Intersects(f.geom, s.location))
    """,
}


def flag_quality_issues() -> dict[str, int]:
    """Recompute the quality flags of every site; save only the sites whose flags change.

    Returns the number of flagged sites per flag.
    """
    flagged: dict[int, set[str]] = {}
    counts = {}
    with connection.cursor() as cursor:
        for flag, sql in CHECKS.items():
            cursor.execute(sql, {"outlines": COUNTRY_OUTLINES_SLUG})
            ids = [row[0] for row in cursor.fetchall()]
            counts[flag.value] = len(ids)
            for site_id in ids:
                flagged.setdefault(site_id, set()).add(flag.value)

    order = [flag.value for flag in QualityFlag]
    candidates = MineSite.objects.exclude(quality_flags=[]) | MineSite.objects.filter(pk__in=flagged)
    changed, now = [], timezone.now()  # bulk updates skip auto_now
    for site in candidates.distinct():
        wanted = sorted(flagged.get(site.pk, set()), key=order.index)
        if site.quality_flags != wanted:
            site.quality_flags, site.updated_at = wanted, now
            changed.append(site)
    # In bulk, each with its history row: an import of thousands of sites changes thousands of flags.
    bulk_update_with_history(changed, MineSite, ["quality_flags", "updated_at"], batch_size=2000)
    return counts
