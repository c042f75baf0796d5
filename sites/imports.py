"""Import a mine-site inventory: read it, map its columns, create or update sites, report probable duplicates.

A site already imported from the same source with the same source id is updated, never
duplicated; a source id repeated within the file keeps every record (`<id>#2`) and flags it.
Rows that cannot become a site are listed with their reason; if no row can, nothing is written.
Everything is written in one transaction, with history rows saying who imported it. Inventories
uploaded through the pages are stored and imported in the background (`start_inventory_import`).
"""

import logging
from collections import Counter
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from access import review_events
from geodata.errors import IngestError
from geodata.stored_files import local_file
from sites.admin_areas import update_admin_areas
from sites.inventory import read_inventory
from sites.models import DataSource, InventoryImport, InventoryImportStatus, MineSite
from sites.quality import DUPLICATE_RADIUS_M, SAME_COORDINATES, SAME_NAME_NEARBY, flag_quality_issues
from sites.site_columns import RowProblem, resolve_columns, site_values

logger = logging.getLogger(__name__)

MAX_REPORTED_ROWS = 100
# The pairs the quality checks flag (sites/quality.py, the same rules): the sites just imported and any other.
_PROBABLE_DUPLICATES_SQL = f"""
    SELECT s.id, s.name, o.id, o.name,
           round(ST_Distance(s.location::geography, o.location::geography)::numeric, 1) AS metres,
           s.location ~= o.location AS same_point
    FROM sites_minesite s
    JOIN sites_minesite o ON o.id <> s.id AND (({SAME_COORDINATES}) OR ({SAME_NAME_NEARBY}))
    WHERE s.id = ANY(%(ids)s)
      AND (s.id < o.id OR NOT o.id = ANY(%(ids)s))
    ORDER BY s.id, o.id
"""


class InventoryImportError(IngestError):
    """The inventory cannot be imported at all; the message says why."""


def import_sites(
    path: Path,
    *,
    source_name: str = "",
    column_map: dict[str, str] | None = None,
    srid: int | None = None,
    encoding: str | None = None,
    layer_name: str | None = None,
    original_name: str | None = None,
    publish: bool = False,
    user=None,
    allowed_countries: set[str] | None = None,
) -> dict:
    """Import the inventory at `path`; return the report. Raises IngestError when nothing can be imported.

    `allowed_countries` limits the rows to the countries the importer may record (None: any).
    """
    original_name = original_name or path.name
    given = column_map or {}
    inventory = read_inventory(
        path,
        original_name=original_name,
        srid=srid,
        encoding=encoding,
        layer_name=layer_name,
        coordinate_columns=(given.get("longitude"), given.get("latitude")),
    )
    columns = resolve_columns(inventory.columns, given, original_name)
    report = dict(inventory.report)
    report.update(columns=columns.for_report(), columns_guessed=columns.guessed, rows_read=len(inventory.rows))

    notes: Counter = Counter()
    good, rejections = [], []
    for row in inventory.rows:
        row_notes: list[str] = []
        try:
            if row.problem:
                raise RowProblem(row.problem)
            values = site_values(row.attributes, columns, row_notes)
            if allowed_countries is not None and values["country"] not in allowed_countries:
                raise RowProblem(
                    gettext("a site in %(country)s: you may import sites of %(allowed)s only")
                    % {"country": values["country"], "allowed": _listed(allowed_countries)}
                )
        except RowProblem as problem:
            rejections.append({"row": row.number, "reason": str(problem)})
            continue
        values.update(location=row.location, footprint=row.footprint)
        good.append(values)
        notes.update(row_notes)
    report.update(
        rejected=len(rejections),
        rejections=rejections[:MAX_REPORTED_ROWS],
        warnings=[
            ngettext("%(note)s (%(count)s row)", "%(note)s (%(count)s rows)", count) % {"note": note, "count": count}
            for note, count in sorted(notes.items())
        ],
    )
    if not good:
        reasons = Counter(rejection["reason"] for rejection in rejections)
        summary = "; ".join(f"{reason} ({count})" for reason, count in reasons.most_common(5))
        summary = summary or gettext("the file has no rows")
        raise InventoryImportError(
            gettext("No row of %(file)s could be imported (%(read)s read): %(reasons)s.")
            % {"file": original_name, "read": len(inventory.rows), "reasons": summary}
        )

    with transaction.atomic():
        source, _ = DataSource.objects.get_or_create(name=(source_name or Path(original_name).stem)[:200])
        report["source"] = source.name
        outcome, site_ids = upsert_sites(source, good, publish=publish, user=user)
        report.update(outcome)
        flag_quality_issues()
        report["probable_duplicates"] = probable_duplicates(site_ids)
    return report


def record_keys(ids: list[str]) -> list[str]:
    """A unique key per record: the source id, or "<id>#<n>" for its n-th repeat in the file."""
    seen: Counter = Counter()
    keys = []
    for record_id in ids:
        seen[record_id] += 1
        keys.append(record_id if seen[record_id] == 1 else f"{record_id}#{seen[record_id]}")
    return keys


def _listed(countries: set[str]) -> str:
    return ", ".join(sorted(countries)) or gettext("no country")


def upsert_sites(source: DataSource, rows: list[dict], *, publish: bool, user) -> tuple[dict, list[int]]:
    """Create new sites and update changed ones in bulk, each with its history row; the one write path
    of every inventory (uploads, `import_sites`, the demo). `publish` applies to the sites it creates."""
    keys = record_keys([row["source_record_id"] for row in rows])
    existing = {
        site.source_record_key: site for site in MineSite.objects.filter(data_source=source, source_record_key__in=keys)
    }
    created, updated, changed_fields = [], [], set()
    unchanged_ids = []
    now = timezone.now()  # bulk updates skip auto_now
    for key, values in zip(keys, rows, strict=True):
        site = existing.get(key)
        if site is None:
            created.append(MineSite(data_source=source, source_record_key=key, is_published=publish, **values))
            continue
        changed = [name for name, value in values.items() if not _same(getattr(site, name), value)]
        if not changed:
            unchanged_ids.append(site.pk)
            continue
        for name in changed:
            setattr(site, name, values[name])
        site.updated_at = now
        changed_fields.update(changed)
        updated.append(site)
    if created:
        created = bulk_create_with_history(created, MineSite, batch_size=2000, default_user=user)
    if updated:
        bulk_update_with_history(
            updated, MineSite, [*sorted(changed_fields), "updated_at"], batch_size=2000, default_user=user
        )
    outcome = {"created": len(created), "updated": len(updated), "unchanged": len(unchanged_ids)}
    ids = [site.pk for site in created] + [site.pk for site in updated] + unchanged_ids
    update_admin_areas(site_ids=ids)  # from the country's boundary layers, as a saved site
    return outcome, ids


def _same(current, new) -> bool:
    if hasattr(current, "equals_exact") and new is not None:
        return current.equals_exact(new, tolerance=1e-9)
    return current == new


def probable_duplicates(site_ids: list[int]) -> list[dict]:
    """Pairs of the given sites and any site with identical coordinates, or the same name within 1 km."""
    if not site_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _PROBABLE_DUPLICATES_SQL,
            {"ids": site_ids, "radius_m": DUPLICATE_RADIUS_M},
        )
        return [
            {
                "site_id": site_id,
                "name": name,
                "other_site_id": other_id,
                "other_name": other_name,
                "distance_m": float(metres),
                "reason": gettext("identical coordinates") if same_point else gettext("same name within 1 km"),
            }
            for site_id, name, other_id, other_name, metres, same_point in cursor.fetchall()
        ]


# --- imports uploaded through the pages: stored, then run in the background ----------------------


def start_inventory_import(*, by, upload, countries: set[str], options: dict) -> InventoryImport:
    """Store the upload and queue its import; the page polls the InventoryImport for the report.

    `options` are the form's: source_name, column_map, srid, encoding.
    """
    inventory_import = InventoryImport(
        original_name=upload.name[:255],
        countries=sorted(countries),
        created_by=by,
        source_name=options.get("source_name") or "",
        column_map=options.get("column_map") or {},
        srid=options.get("srid"),
        encoding=options.get("encoding") or "",
    )
    inventory_import.upload.save(upload.name, upload, save=False)
    with transaction.atomic():
        inventory_import.save()
        # The task row commits with the import, so a worker never sees one without the other.
        from sites.tasks import import_inventory_task

        import_inventory_task.enqueue(inventory_import.pk, language=translation.get_language() or "")
    return inventory_import


def run_inventory_import(inventory_import: InventoryImport) -> InventoryImport:
    """Import a stored inventory; all or nothing. The outcome (report or error) is saved on it, the file removed."""
    InventoryImport.objects.filter(pk=inventory_import.pk).update(status=InventoryImportStatus.RUNNING)
    try:
        with local_file(inventory_import.upload, prefix="inventory-") as path:
            report = import_sites(
                path,
                original_name=inventory_import.original_name,
                source_name=inventory_import.source_name,
                column_map=inventory_import.column_map,
                srid=inventory_import.srid,
                encoding=inventory_import.encoding or None,
                user=inventory_import.created_by,
                allowed_countries=set(inventory_import.countries),
            )
        inventory_import.status, inventory_import.report = InventoryImportStatus.DONE, report
    except IngestError as error:
        inventory_import.status, inventory_import.error = InventoryImportStatus.FAILED, " ".join(error.messages)
    except Exception:
        logger.exception("Inventory import %s failed", inventory_import.pk)
        inventory_import.status = InventoryImportStatus.FAILED
        inventory_import.error = gettext(
            "%(file)s could not be read: an unexpected error, which has been logged. Nothing was imported."
        ) % {"file": inventory_import.original_name}
    inventory_import.finished_at = timezone.now()
    inventory_import.upload.delete(save=False)
    inventory_import.save()
    if inventory_import.status == InventoryImportStatus.DONE:
        review_events.review_requested.send(InventoryImport, record=inventory_import, by=inventory_import.created_by)
    return inventory_import
