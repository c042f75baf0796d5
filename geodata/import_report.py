"""An import's report as people read it: sentences and tables, and for the public a summary only.

The ingest keeps its report as data on the layer (geodata/ingest.py). The layer page showed that
data as it is stored (Python lists and dictionaries); `readable_report` turns it into what the page
shows: one summary everyone sees (what was read, imported, repaired and rejected, in which
coordinate system), and for the people who look after the layer the details too (warnings, the
rejected features, the fields and how the attribute names were changed, and the time per stage).
"""

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from geodata import encoding

_ENCODING_SOURCES = {
    encoding.FROM_CPG: gettext_lazy("the file's .cpg"),
    encoding.FROM_DBF_HEADER: gettext_lazy("the .dbf header"),
    encoding.DETECTED: gettext_lazy("detected from the text"),
    encoding.FROM_USER: gettext_lazy("given by the uploader"),
    encoding.FROM_FORMAT: gettext_lazy("the format's own"),
}
# The ingest's stages (geodata/ingest.py) and the statuses it ends on, as people read them.
STAGE_LABELS = {
    "queued": gettext_lazy("queued"),
    "unpacking": gettext_lazy("unpacking"),
    "surveying": gettext_lazy("surveying"),
    "reading": gettext_lazy("reading"),
    "validating": gettext_lazy("validating"),
    "reprojecting": gettext_lazy("reprojecting"),
    "encoding and generalising": gettext_lazy("encoding and generalising"),
    "loading": gettext_lazy("loading"),
    "done": gettext_lazy("done"),
}


def stage_label(stage: str) -> str:
    """A stage in the reader's language; an unknown one (or a status) as it is stored."""
    return str(STAGE_LABELS.get(stage, stage))


@dataclass(frozen=True)
class ReadableReport:
    summary: list[str]
    error: str = ""
    outside_country: str = ""  # the warning that the layer lies outside the country it is filed under
    warnings: list[str] = field(default_factory=list)
    rejections: list[dict] = field(default_factory=list)
    rejected_not_listed: int = 0
    fields: list[dict] = field(default_factory=list)
    stages: list[tuple[str, float]] = field(default_factory=list)


def readable_report(report: dict, *, details: bool) -> ReadableReport | None:
    """The report to show; `details` for those who look after the layer (its uploaders, reviewers, staff)."""
    if not report:
        return None
    summary = _summary(report)
    if not details:
        return ReadableReport(summary=summary)
    rejections = report.get("rejections") or []
    return ReadableReport(
        summary=summary + _how_it_was_read(report),
        error=report.get("error", ""),
        outside_country=report.get("outside_country", ""),
        warnings=list(report.get("warnings") or []),
        rejections=rejections,
        rejected_not_listed=max(0, int(report.get("rejected") or 0) - len(rejections)),
        fields=[
            {**column, "renamed": column.get("original_name", column["name"]) != column["name"]}
            for column in report.get("fields") or []
        ],
        stages=[
            (stage_label(stage), round(seconds, 2)) for stage, seconds in (report.get("stage_seconds") or {}).items()
        ],
    )


def _summary(report: dict) -> list[str]:
    sentences = []
    source = report.get("source_file", "")
    if "features_read" in report:
        read = report["features_read"]
        sentences.append(
            ngettext("%(count)s feature read from %(file)s.", "%(count)s features read from %(file)s.", read)
            % {"count": _number(read), "file": source}
        )
    if "imported" in report:
        parts = [
            ngettext("%(count)s imported", "%(count)s imported", report["imported"])
            % {"count": _number(report["imported"])}
        ]
        if report.get("repaired"):
            parts.append(_("%(count)s of them repaired") % {"count": _number(report["repaired"])})
        if report.get("rejected"):
            parts.append(_("%(count)s rejected") % {"count": _number(report["rejected"])})
        sentences.append("; ".join(parts) + ".")
    types = report.get("geometry_types") or {}
    if types:
        listed = ", ".join(f"{name} {_number(count)}" for name, count in types.items())
        sentences.append(_("Shapes: %(types)s.") % {"types": listed})
    if report.get("source_crs"):
        decided = _("as the file declares") if report.get("source_crs_decided_by") == "file" else _("as given")
        sentences.append(
            _("Coordinates read in %(crs)s (%(decided)s), stored in longitude/latitude (EPSG:4326).")
            % {"crs": _short_crs(report["source_crs"]), "decided": decided}
        )
    return sentences


def _how_it_was_read(report: dict) -> list[str]:
    sentences = []
    if report.get("dataset"):
        sentences.append(
            _("Layer %(layer)s of %(file)s, read as %(driver)s.")
            % {"layer": report["dataset"], "file": report.get("dataset_file", ""), "driver": report.get("driver", "")}
        )
    if report.get("encoding"):
        source = _ENCODING_SOURCES.get(report.get("encoding_decided_by", ""), report.get("encoding_decided_by", ""))
        sentences.append(
            _("Text encoding %(encoding)s (%(source)s).") % {"encoding": report["encoding"], "source": source}
        )
    if report.get("z_dropped"):
        sentences.append(_("Heights (Z) dropped from %(count)s features.") % {"count": _number(report["z_dropped"])})
    if report.get("m_dropped"):
        sentences.append(_("Measures (M) dropped from %(count)s features.") % {"count": _number(report["m_dropped"])})
    if report.get("skipped_tables"):
        sentences.append(
            _("Tables without geometry left out: %(tables)s.") % {"tables": ", ".join(report["skipped_tables"])}
        )
    return sentences


def _short_crs(crs: str) -> str:
    """An authority code as it is; a WKT by its name only (the whole WKT is in the metadata download)."""
    if crs.split(":")[0] in ("EPSG", "OGC", "ESRI", "IAU_2015"):
        return crs
    start = crs.find('"')
    end = crs.find('"', start + 1)
    return crs[start + 1 : end] if 0 <= start < end else _("a custom coordinate system")


def _number(value) -> str:
    """A count as the reader's locale writes it (12,345 in English)."""
    return number_format(int(value), force_grouping=True)
