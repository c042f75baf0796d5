"""Read paths for remediation records, shared by the site page, the dashboard, the reports and the map.

The public sees published records of published sites; officers and reviewers also see the drafts of
the countries they work for. Officers' names reach only signed-in members (`show_people`).
"""

import datetime
import json
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from access.changes import changed_names, field_values
from access.models import Country, Role
from access.roles import is_staff, working_countries
from access.visibility import draft_countries, visible
from remediation.models import (
    DONE_STAGES,
    IN_PROGRESS_STAGES,
    Evidence,
    Hazard,
    MeasureStage,
    MonitoringVisit,
    PairRole,
    PublicReport,
    PublicReportState,
    RemediationMeasure,
    RemediationProgress,
    SiteRecord,
)
from sites.models import MineSite

SITE_RECORD_MODELS = (Hazard, RemediationMeasure, MonitoringVisit, Evidence)


def visible_evidence(user) -> QuerySet[Evidence]:
    """Evidence is public only when it and the record it is attached to are both published."""
    evidence = visible(Evidence.objects.all(), user)
    countries = draft_countries(user, SiteRecord)
    parent_published = (Q(hazard__is_published=True) | Q(measure__is_published=True) | Q(visit__is_published=True)) | Q(
        site__country__in=countries
    )
    return evidence.filter(parent_published)


def show_people(user, site: MineSite) -> bool:
    """Officers' names are personal data: only members of the site's country read them."""
    return site.country in draft_countries(user, SiteRecord)


@dataclass
class MeasureProgress:
    """What a measure's progress bars show: stage, area treated against affected, spend against budget."""

    measure: RemediationMeasure
    stage_fraction: float
    treated_ha: float | None
    affected_ha: float | None
    area_fraction: float | None
    spend_fraction: float | None
    photo_pairs: list[tuple[Evidence | None, Evidence | None]] = field(default_factory=list)


def _fraction(part, whole) -> float | None:
    if part is None or not whole:
        return None
    return min(float(part) / float(whole), 1.0)


def measure_progress(measure: RemediationMeasure, hazards: list[Hazard]) -> MeasureProgress:
    areas = [hazard.affected_area_ha for hazard in hazards if hazard.affected_area_ha is not None]
    affected = sum(areas) if areas else None
    treated = float(measure.treated_area_ha) if measure.treated_area_ha is not None else None
    return MeasureProgress(
        measure=measure,
        stage_fraction=measure.stage_progress,
        treated_ha=treated,
        affected_ha=affected,
        area_fraction=_fraction(treated, affected),
        spend_fraction=_fraction(measure.actual_cost_amount, measure.budget_amount),
    )


def photo_pairs(evidence: list[Evidence]) -> list[tuple[Evidence | None, Evidence | None]]:
    """Before and after photos side by side, in the order they were added."""
    before = [item for item in evidence if item.is_photo and item.pair_role == PairRole.BEFORE]
    after = [item for item in evidence if item.is_photo and item.pair_role == PairRole.AFTER]
    pairs = []
    for index in range(max(len(before), len(after))):
        pairs.append((before[index] if index < len(before) else None, after[index] if index < len(after) else None))
    return pairs


@dataclass
class SiteRemediation:
    hazards: list
    measures: list[MeasureProgress]
    visits: list
    evidence: list
    show_people: bool
    as_of: datetime.datetime | None = None


def site_remediation(site: MineSite, user) -> SiteRemediation:
    """Everything the site page shows about hazards and remediation, as the user may see it."""
    hazards = list(visible(site.hazards.select_related("priority_approved_by"), user))
    evidence = list(
        visible_evidence(user)
        .filter(site=site)
        .select_related("hazard", "measure", "visit")
        .order_by("created_at", "id")
    )
    measures = []
    for measure in visible(site.measures.select_related("signed_off_by").prefetch_related("hazards"), user):
        progress = measure_progress(measure, list(measure.hazards.all()))
        progress.photo_pairs = photo_pairs([item for item in evidence if item.measure_id == measure.pk])
        measures.append(progress)
    visits = list(visible(site.visits.select_related("officer", "measure"), user).prefetch_related("measurements"))
    return SiteRemediation(hazards, measures, visits, evidence, show_people(user, site))


def _state_at(model, site: MineSite, when: datetime.datetime, public: bool) -> list:
    """Each record of the site as it stood at `when`, from its history table (deleted ones left out)."""
    latest = (
        model.history.filter(site_id=site.pk, history_date__lte=when)
        .order_by("id", "-history_date", "-history_id")
        .distinct("id")
    )
    records = [record.instance for record in latest if record.history_type != "-"]
    if public:
        records = [record for record in records if record.is_published]
    return records


def site_remediation_as_of(site: MineSite, user, when: datetime.datetime) -> SiteRemediation:
    """The site's records as they stood at a past moment: for the public, those published then and now.

    A record unpublished since then stays hidden, so the past view never shows what a reviewer withdrew.
    """
    public = not show_people(user, site)
    hazards = _state_at(Hazard, site, when, public)
    measures = [measure_progress(record, []) for record in _state_at(RemediationMeasure, site, when, public)]
    visits = _state_at(MonitoringVisit, site, when, public)
    evidence = _state_at(Evidence, site, when, public)
    if public:
        current = {
            model: set(visible(model.objects.filter(site=site), user).values_list("id", flat=True))
            for model in SITE_RECORD_MODELS
        }
        hazards = [record for record in hazards if record.pk in current[Hazard]]
        measures = [progress for progress in measures if progress.measure.pk in current[RemediationMeasure]]
        visits = [record for record in visits if record.pk in current[MonitoringVisit]]
        evidence = [record for record in evidence if record.pk in current[Evidence]]
    return SiteRemediation(hazards, measures, visits, evidence, not public, as_of=when)


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime.datetime
    what: str
    action: str
    fields: list[str]
    by: str


ACTION_WORDS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
# Kept by the registry, not typed by anyone: never listed as a change.
UNSHOWN_FIELDS = {"id", "created_by", "created_at", "updated_at"}


def remediation_timeline(site: MineSite, user, *, limit: int = 30) -> list[TimelineEntry]:
    """Changes to the site's hazards, measures, visits and evidence, newest first.

    The public sees only the states that were published, without who made them.
    """
    people = show_people(user, site)
    entries = []
    for model in SITE_RECORD_MODELS:
        history = model.history.filter(site_id=site.pk).select_related("history_user")
        if not people:
            history = history.filter(is_published=True)
        records = list(history.order_by("-history_date", "-history_id")[:limit])
        previous = _previous_states(model, records)
        for record in records:
            fields: list[str] = []
            action = str(ACTION_WORDS.get(record.history_type, "?"))
            before = previous.get(record.history_id) if record.history_type == "~" else None
            if before is not None:
                names = [field.name for field in model._meta.concrete_fields if field.name not in UNSHOWN_FIELDS]
                changed = changed_names(model, field_values(before, names), field_values(record, names))
                if changed == ["is_published"]:
                    action = gettext("Published") if record.is_published else gettext("Unpublished")
                else:
                    fields = [str(model._meta.get_field(name).verbose_name) for name in changed]
            user_record = record.history_user
            by = (user_record.get_full_name() or user_record.get_username()) if (people and user_record) else ""
            what = gettext("%(kind)s: %(record)s") % {
                "kind": capfirst(model._meta.verbose_name),
                "record": _label(record),
            }
            entries.append(TimelineEntry(record.history_date, what, action, fields, by))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


def _previous_states(model, records: list) -> dict:
    """For each history row, the row before it of the same record (one query, not one per row)."""
    if not records:
        return {}
    ids = {record.id for record in records}
    newest = max(record.history_date for record in records)
    all_states = model.history.filter(id__in=ids, history_date__lte=newest).order_by("id", "history_date", "history_id")
    previous, last_by_id = {}, {}
    for state in all_states:
        if state.id in last_by_id:
            previous[state.history_id] = last_by_id[state.id]
        last_by_id[state.id] = state
    return previous


def _label(record) -> str:
    for attribute in ("get_hazard_type_display", "get_measure_type_display"):
        if hasattr(record, attribute):
            return str(getattr(record, attribute)())
    if hasattr(record, "visited_on"):
        return gettext("visit on %(day)s") % {"day": date_format(record.visited_on, "DATE_FORMAT")}
    return str(getattr(record, "caption", ""))


# The officer's dashboard.


def measures_in_progress(user) -> QuerySet[RemediationMeasure]:
    countries = draft_countries(user, SiteRecord)
    return (
        RemediationMeasure.objects.in_countries(countries)
        .filter(stage__in=IN_PROGRESS_STAGES)
        .select_related("site")
        .order_by("planned_end", "id")
    )


def overdue_visits(user, today: datetime.date) -> QuerySet[MonitoringVisit]:
    """The latest visit of each site (or measure) whose next visit is overdue and has not happened."""
    return overdue_visits_in(draft_countries(user, SiteRecord), today)


def overdue_visits_in(countries, today: datetime.date) -> QuerySet[MonitoringVisit]:
    """`overdue_visits` of the given countries, whoever asks (the weekly digests)."""
    later_visit = MonitoringVisit.objects.filter(
        site=OuterRef("site"), measure=OuterRef("measure"), visited_on__gt=OuterRef("visited_on")
    )
    later_visit_to_site = MonitoringVisit.objects.filter(
        site=OuterRef("site"), measure__isnull=True, visited_on__gt=OuterRef("visited_on")
    )
    return (
        MonitoringVisit.objects.in_countries(countries)
        .filter(next_visit_due__lt=today)
        .exclude(Q(measure__isnull=False) & Exists(later_visit))
        .exclude(Q(measure__isnull=True) & Exists(later_visit_to_site))
        .select_related("site", "measure")
        .order_by("next_visit_due", "id")
    )


def count_drafts_awaiting_review(countries) -> int:
    """How many records of `countries` wait for a reviewer (what `drafts_awaiting_review` lists)."""
    return sum(model.objects.in_countries(countries).filter(is_published=False).count() for model in SITE_RECORD_MODELS)


def drafts_awaiting_review(user, *, limit: int = 100) -> list:
    """The oldest unpublished records of the user's countries (at most `limit`), oldest change first."""
    countries = draft_countries(user, SiteRecord)
    drafts = []
    for model in SITE_RECORD_MODELS:
        drafts += list(
            model.objects.in_countries(countries)
            .filter(is_published=False)
            .select_related("site")
            .order_by("updated_at", "id")[:limit]
        )
    return sorted(drafts, key=lambda record: record.updated_at)[:limit]


# Reports from the public: never public, whatever the site.


def public_report_countries(user) -> set[str]:
    """The countries whose reports from the public `user` reads: where they are an officer or a reviewer; staff all."""
    if is_staff(user):
        return set(Country.values)
    return working_countries(user, Role.ENVIRONMENTAL_OFFICER)


def visible_public_reports(user) -> QuerySet[PublicReport]:
    """The reports `user` may read, with the reporters' contact details: nobody else's country, newest first."""
    return (
        PublicReport.objects.in_countries(public_report_countries(user))
        .select_related("site", "handled_by")
        .order_by("-created_at", "-id")
    )


def count_new_public_reports(countries) -> int:
    """The reports of `countries` nobody has looked at yet (the dashboard's and the digest's count)."""
    return PublicReport.objects.in_countries(countries).filter(state=PublicReportState.NEW).count()


def public_reports_received(countries, start: datetime.datetime, end: datetime.datetime) -> QuerySet[PublicReport]:
    """The reports of `countries` received from `start` (included) to `end` (excluded)."""
    return PublicReport.objects.in_countries(countries).filter(created_at__gte=start, created_at__lt=end)


# For maps (the public map can use these later).


def treated_areas_geojson(user, *, site: MineSite | None = None) -> dict:
    """Treated areas of visible measures as a GeoJSON FeatureCollection (lon/lat)."""
    measures = visible(RemediationMeasure.objects.filter(treated_area__isnull=False), user)
    if site is not None:
        measures = measures.filter(site=site)
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(measure.treated_area.geojson),
            "properties": {
                "id": measure.pk,
                "site": measure.site_id,
                "type": measure.get_measure_type_display(),
                "stage": measure.get_stage_display(),
                "area_ha": float(measure.treated_area_ha or 0),
            },
        }
        for measure in measures.order_by("id")
    ]
    return {"type": "FeatureCollection", "features": features}


def site_progress_sql(site_id_sql: str, countries_param: str) -> str:
    """SQL for one site's RemediationProgress, from the measures a requester may see (for map tiles).

    No measure (failed or cancelled ones do not count) is "none"; all completed or in care and
    maintenance is "completed"; all still planned is "planned"; anything else is "in progress".
    Visibility is `visible()` in SQL: published measures of published sites, plus every measure of
    the countries in the array parameter `countries_param`. One indexed look-up per site, so it
    scales with the sites drawn, not the measures stored.
    """
    done = ", ".join(f"'{stage}'" for stage in DONE_STAGES)
    return f"""
        SELECT CASE WHEN count(*) = 0 THEN '{RemediationProgress.NONE}'
                    WHEN bool_and(measure.stage IN ({done})) THEN '{RemediationProgress.COMPLETED}'
                    WHEN bool_and(measure.stage = '{MeasureStage.PLANNED}') THEN '{RemediationProgress.PLANNED}'
                    ELSE '{RemediationProgress.IN_PROGRESS}' END
        FROM {RemediationMeasure._meta.db_table} AS measure
        JOIN {MineSite._meta.db_table} AS measure_site ON measure_site.id = measure.site_id
        WHERE measure.site_id = {site_id_sql} AND measure.stage <> '{MeasureStage.FAILED_CANCELLED}'
          AND ((measure.is_published AND measure_site.is_published)
               OR measure_site.country = ANY(%({countries_param})s::varchar[]))"""


def measure_summary(measure: RemediationMeasure, user) -> dict:
    """What a click on a treated area shows; names of people only for members of the site's country."""
    site = measure.site
    summary = {
        "id": measure.pk,
        "title": f"{measure.get_measure_type_display()} — {measure.get_stage_display()}",
        "site": {"id": site.pk, "name": site.name, "url": site.get_absolute_url()},
        "properties": {
            "Type": str(measure.get_measure_type_display()),
            "Stage": str(measure.get_stage_display()),
            "Treated area (ha)": float(measure.treated_area_ha) if measure.treated_area_ha is not None else None,
            "Responsible agency": measure.responsible_agency,
            "Planned": _period(measure.planned_start, measure.planned_end),
            "Works": _period(measure.actual_start, measure.actual_end),
            "Published": measure.is_published,
        },
    }
    if show_people(user, site) and measure.signed_off_by:
        summary["properties"]["Signed off by"] = measure.signed_off_by.get_full_name() or str(measure.signed_off_by)
    return summary


def hazard_summary(hazard: Hazard, location: dict | None, *, generalised: bool) -> dict:
    """What a click on a hazard shows: never who recorded it, and a generalised place when the map has one."""
    site = hazard.site
    return {
        "id": hazard.pk,
        "title": str(hazard.get_hazard_type_display()),
        "site": {"id": site.pk, "name": site.name, "url": site.get_absolute_url()},
        "generalised": generalised,
        "location": location,
        "properties": {
            "Type": str(hazard.get_hazard_type_display()),
            "Priority": str(hazard.get_priority_display()),
            "Priority approved": hazard.priority_is_approved,
            "Status": str(hazard.get_status_display()),
            "Location": "within about 1 km (generalised)" if generalised else "exact",
            "Published": hazard.is_published,
        },
    }


def _period(start: datetime.date | None, end: datetime.date | None) -> str:
    if not start and not end:
        return ""
    return f"{start.isoformat() if start else '?'} – {end.isoformat() if end else '?'}"
