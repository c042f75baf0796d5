"""Find known defects in site records and flag them on the sites (never hide or fix them silently).

The one write path of the quality flags: recomputed after every inventory import, by the demo and by
`manage.py flag_quality_issues`; a reviewer dismisses a flag here too (merging two records is sites/merging.py).

One rule per check (QualityFlag), each a condition on the site `s`:
- duplicate_source_id: another record of the same source carries the same source id.
- duplicate_coordinates: another site stands at exactly the same point.
- duplicate_name_nearby: another site has the same name (ignoring case and surrounding spaces) less than
  DUPLICATE_RADIUS_M away, measured on the ellipsoid (geography). The sites are joined on the indexed
  lower(btrim(name)) first, so only the few sites sharing a name are measured, however many sites there are.
- outside_land: in no outline of the shipped country outlines (geodata/outlines.py).
- outside_country: on land, but not in the outline of the country the site declares (outlines matched by
  `ADM0_A3`). A site in no outline at all is outside_land only: one defect, one flag.
- missing_key_fields: the fields without which a record can be neither told apart nor used: a name (not
  only spaces), a status and at least one commodity. The location is required by the table itself, the
  model keeps no precision of it, and a mine type of "unknown" is a fact sources report, not a gap.
- not_updated: not updated for settings.SITE_STALE_AFTER_YEARS years (5 unless set), by `updated_at`.
  Recomputing the flags leaves `updated_at` alone, or every flagged stale record would look fresh again.
The two outline checks are skipped while the outlines layer is absent (and outside_country for a country
without an outline).

A dismissed flag (DismissedFlag) is not raised again for its site while the data the checks read
(FINGERPRINT_SQL) stays as it was when it was dismissed.
"""

import json
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geodata.outlines import COUNTRY_OUTLINES_SLUG, OUTLINE_CODE
from sites.models import DismissedFlag, MineSite, QualityFlag
from sites.stewardship import ensure_may_resolve_flags

DUPLICATE_RADIUS_M = 1000
DEFAULT_STALE_AFTER_YEARS = 5
SITES = MineSite._meta.db_table

# When a site `o` and a site `s` are probably the same site: each rule once, for the checks and for
# finding the records a reviewer may merge.
SAME_SOURCE_RECORD = (
    "s.source_record_id <> '' AND o.data_source_id = s.data_source_id AND o.source_record_id = s.source_record_id"
)
# `=` is exact equality and lets the whole check hash-join; `~=` (the same for points) lets one site use the index.
SAME_COORDINATES = "o.location = s.location AND o.location ~= s.location"
SAME_NAME_NEARBY = (
    "lower(btrim(o.name)) = lower(btrim(s.name)) AND btrim(s.name) <> '' "
    "AND ST_DWithin(o.location::geography, s.location::geography, %(radius_m)s)"
)


def _has_other(rule: str) -> str:
    return f"EXISTS (SELECT 1 FROM {SITES} o WHERE o.id <> s.id AND {rule})"


_OUTLINES = """SELECT 1 FROM geodata_feature f JOIN geodata_layer l ON l.id = f.layer_id
               WHERE l.slug = %(outlines)s"""
_OWN_OUTLINE = f"{_OUTLINES} AND f.properties ->> 'ADM0_A3' = (%(outline_codes)s::jsonb ->> s.country)"

CHECKS = {
    QualityFlag.DUPLICATE_SOURCE_ID: _has_other(SAME_SOURCE_RECORD),
    QualityFlag.DUPLICATE_COORDINATES: _has_other(SAME_COORDINATES),
    QualityFlag.DUPLICATE_NAME_NEARBY: _has_other(SAME_NAME_NEARBY),
    QualityFlag.OUTSIDE_LAND: f"""
        EXISTS (SELECT 1 FROM geodata_layer WHERE slug = %(outlines)s AND feature_count > 0)
        AND NOT EXISTS ({_OUTLINES} AND ST_Intersects(f.geom, s.location))""",
    QualityFlag.OUTSIDE_COUNTRY: f"""
        EXISTS ({_OWN_OUTLINE})
        AND NOT EXISTS ({_OWN_OUTLINE} AND ST_Intersects(f.geom, s.location))
        AND EXISTS ({_OUTLINES} AND ST_Intersects(f.geom, s.location))""",
    QualityFlag.MISSING_KEY_FIELDS: "btrim(s.name) = '' OR s.status = '' OR cardinality(s.commodities) = 0",
    QualityFlag.NOT_UPDATED: "s.updated_at < now() - make_interval(years => %(stale_years)s::int)",
}

# What the checks read of a site: a dismissal holds while this stays the same.
FINGERPRINT_SQL = (
    "md5(row(s.name, s.country, s.status, s.commodities, s.location, s.data_source_id, s.source_record_id)::text)"
)


class FlagActionError(ValidationError):
    """A dismissal that cannot be made as asked; its message is shown to the reviewer."""


def _parameters(site_ids: list[int] | None = None) -> dict:
    return {
        "outlines": COUNTRY_OUTLINES_SLUG,
        "outline_codes": json.dumps({str(country): code for country, code in OUTLINE_CODE.items()}),
        "radius_m": DUPLICATE_RADIUS_M,
        "stale_years": getattr(settings, "SITE_STALE_AFTER_YEARS", DEFAULT_STALE_AFTER_YEARS),
        "site_ids": site_ids,
    }


def _ids(sql: str, parameters: dict) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall()


def flag_quality_issues(site_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Recompute the quality flags of every site (or of `site_ids` only); save only the sites whose flags change.

    Returns the number of flagged sites per flag (among `site_ids` when given).
    """
    only = sorted(set(site_ids)) if site_ids is not None else None
    parameters = _parameters(only)
    restriction = " AND s.id = ANY(%(site_ids)s)" if only is not None else ""
    dismissed = {
        (site_id, flag)
        for site_id, flag in _ids(
            f"""SELECT d.site_id, d.flag FROM {DismissedFlag._meta.db_table} d JOIN {SITES} s ON s.id = d.site_id
                WHERE d.data_fingerprint = {FINGERPRINT_SQL}{restriction}""",
            parameters,
        )
    }
    flagged: dict[int, set[str]] = {}
    counts = {}
    for flag, condition in CHECKS.items():
        rows = _ids(f"SELECT s.id FROM {SITES} s WHERE ({condition}){restriction}", parameters)
        ids = [site_id for (site_id,) in rows if (site_id, flag.value) not in dismissed]
        counts[flag.value] = len(ids)
        for site_id in ids:
            flagged.setdefault(site_id, set()).add(flag.value)

    order = [flag.value for flag in QualityFlag]
    current = MineSite.objects.exclude(quality_flags=[])
    if only is not None:
        current = current.filter(pk__in=only)
    current_flags = dict(current.values_list("id", "quality_flags"))
    changes = {}
    for site_id in current_flags.keys() | flagged.keys():
        wanted = sorted(flagged.get(site_id, ()), key=order.index)
        if current_flags.get(site_id, []) != wanted:
            changes[site_id] = wanted
    _save_flags(changes, reason="quality flags recomputed")
    return counts


FLAG_BATCH = 10_000


@transaction.atomic
def _save_flags(changes: dict[int, list[str]], *, reason: str) -> None:
    """Write the changed flags, each site with its history row, in two statements per batch.

    A first check of stale records may change a few hundred thousand sites: row by row through the ORM
    that took minutes. `updated_at` stays: the flags follow from the data, they are no change of it.
    """
    history = MineSite.history.model
    copied = [field.column for field in history._meta.concrete_fields if not field.name.startswith("history_")]
    site_ids = sorted(changes)
    with connection.cursor() as cursor:
        for start in range(0, len(site_ids), FLAG_BATCH):
            batch = site_ids[start : start + FLAG_BATCH]
            cursor.execute(
                f"""UPDATE {SITES} s SET quality_flags = ARRAY(SELECT jsonb_array_elements_text(change.value))
                    FROM jsonb_each(%(changes)s::jsonb) change WHERE s.id = change.key::bigint""",
                {"changes": json.dumps({site_id: changes[site_id] for site_id in batch})},
            )
            cursor.execute(
                f"""INSERT INTO {history._meta.db_table}
                        ({", ".join(copied)}, history_date, history_change_reason, history_type, history_user_id)
                    SELECT {", ".join(f"s.{column}" for column in copied)}, %(now)s, %(reason)s, '~', NULL
                    FROM {SITES} s WHERE s.id = ANY(%(ids)s)""",
                {"now": timezone.now(), "reason": reason, "ids": batch},
            )


def probable_duplicate_ids(site_id: int) -> list[int]:
    """The other sites that the duplicate checks pair with this one (whoever may see them)."""
    rule = " OR ".join(f"({rule})" for rule in (SAME_SOURCE_RECORD, SAME_COORDINATES, SAME_NAME_NEARBY))
    rows = _ids(
        f"SELECT o.id FROM {SITES} s JOIN {SITES} o ON o.id <> s.id AND ({rule}) WHERE s.id = %(site_id)s",
        {**_parameters(), "site_id": site_id},
    )
    return sorted(site_id for (site_id,) in rows)


@transaction.atomic
def dismiss_flag(*, site: MineSite, flag: str, reason: str, by) -> DismissedFlag:
    """Dismiss one flag of a site, with the reviewer's reason; the recomputation keeps it dismissed."""
    ensure_may_resolve_flags(by, site.country)
    reason = reason.strip()
    if not reason:
        raise FlagActionError(_("Give a reason: a flag is only dismissed with the reason it is wrong."))
    site = MineSite.objects.select_for_update().get(pk=site.pk)
    if flag not in site.quality_flags:
        raise FlagActionError(
            _("“%(name)s” does not have this flag (any more); nothing was dismissed.") % {"name": site.name}
        )
    (fingerprint,) = _ids(f"SELECT {FINGERPRINT_SQL} FROM {SITES} s WHERE s.id = %(site_id)s", {"site_id": site.pk})[0]
    dismissal, _created = DismissedFlag.objects.update_or_create(
        site=site, flag=flag, data_fingerprint=fingerprint, defaults={"reason": reason, "dismissed_by": by}
    )
    site.quality_flags = [each for each in site.quality_flags if each != flag]
    site._history_user = by
    site._change_reason = f"quality flag {flag} dismissed"
    site.save(update_fields=["quality_flags"])  # not updated_at: the site's data did not change
    return dismissal
