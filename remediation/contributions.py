"""What remediation adds to the apps below it: tiles and OGC collections to geodata's engines, and to
the sites' map and page a colouring by progress, two tile overlays and the hazards-and-remediation panel.
"""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from access import proposals
from access.publishing import latest_send_backs
from access.roles import may_record_remediation
from access.visibility import draft_countries, may_publish
from geodata import maps, tiles
from geodata.maps import Overlay, TileOverlay
from geodata.ogc.collections import register_collection
from remediation import ogc, queries
from remediation import tiles as remediation_tiles
from remediation.models import (
    PRIORITY_COLOURS,
    PROGRESS_COLOURS,
    STAGE_COLOURS,
    HazardPriority,
    MeasureStage,
    RemediationMeasure,
    RemediationProgress,
)
from sites import contributions as site_contributions


def register() -> None:
    tiles.register_source(
        remediation_tiles.REMEDIATION_SOURCE,
        remediation_tiles.remediation_tile,
        feature_view=remediation_tiles.remediation_feature,
    )
    tiles.register_source(
        remediation_tiles.HAZARDS_SOURCE,
        remediation_tiles.hazard_tile,
        feature_view=remediation_tiles.hazard_feature,
        feature_name="hazard-feature",
    )
    register_collection(ogc.hazards_collection)
    register_collection(ogc.remediation_areas_collection)
    site_contributions.register_colouring(
        site_contributions.SiteColouring(
            name="remediation",
            label=_("Remediation progress"),
            colours=maps.colour_codes(PROGRESS_COLOURS),
            legend=lambda: _legend(PROGRESS_COLOURS, RemediationProgress),
            sources=(remediation_tiles.REMEDIATION_SOURCE,),
            draft_countries=lambda user: draft_countries(user, RemediationMeasure),
            column_sql=queries.site_progress_sql,
        )
    )
    site_contributions.register_map_overlay(
        site_contributions.MapOverlay(
            overlay=_treated_areas_overlay,
            legend_title=_("Remediation areas (stage)"),
            legend=lambda: _legend(STAGE_COLOURS, MeasureStage),
        )
    )
    site_contributions.register_map_overlay(
        site_contributions.MapOverlay(
            overlay=_hazards_overlay,
            legend_title=_("Hazards (priority; a dashed ring is placed only to about 1 km)"),
            legend=lambda: _legend(PRIORITY_COLOURS, HazardPriority),
        )
    )
    site_contributions.register_site_panel(site_contributions.SitePanel(render=_site_panel, overlays=_site_overlays))


def _legend(colours: dict, vocabulary) -> list[tuple[str, str]]:
    return [(label, colours[value]) for value, label in vocabulary.choices]


def _identify_url(name: str) -> str:
    return reverse(name, args=[0]).replace("/0.json", "/{id}.json")


def _treated_areas_overlay() -> TileOverlay:
    return TileOverlay(
        name=gettext("Remediation areas"),
        tiles=tiles.url_template("tiles:remediation"),
        tile_layer=remediation_tiles.REMEDIATION_SOURCE,
        style=maps.style_call(
            "RegistryTiles.categoryStyle", maps.colour_codes(STAGE_COLOURS), maps.OTHER_COLOUR, 1.5, "stage"
        ),
        identify="RegistryTiles.identifyRecords",
        identify_url=_identify_url("tiles:remediation-feature"),
        show=False,
    )


def _hazards_overlay() -> TileOverlay:
    return TileOverlay(
        name=gettext("Hazards"),
        tiles=tiles.url_template("tiles:hazards"),
        tile_layer=remediation_tiles.HAZARDS_SOURCE,
        style=maps.style_call("RegistryTiles.hazardStyle", maps.colour_codes(PRIORITY_COLOURS)),
        identify="RegistryTiles.identifyRecords",
        identify_url=_identify_url("tiles:hazard-feature"),
        show=False,
    )


def _site_overlays(site) -> list[Overlay]:
    return [Overlay(gettext("Treated areas"), reverse("remediation:treated_areas", args=[site.pk]), "#1a9850", 2, 0.3)]


def _attach_send_backs(remediation: queries.SiteRemediation) -> None:
    """Each draft shows why it was last sent back: read for all of them in one query, not one per record."""
    records = [*remediation.hazards, *(progress.measure for progress in remediation.measures)]
    drafts = [record for record in [*records, *remediation.visits, *remediation.evidence] if not record.is_published]
    decisions = latest_send_backs(drafts)
    for record in drafts:
        record.sent_back_decision = decisions.get(record)


def _site_panel(request, site, date: site_contributions.SitePageDate):
    """The site's hazards, measures, visits and evidence, as of today or of the page's date."""
    if date.as_of:
        remediation = queries.site_remediation_as_of(site, request.user, date.as_of)
    else:
        remediation = queries.site_remediation(site, request.user)
    if not date.as_of:
        _attach_send_backs(remediation)
    context = {
        "site": site,
        "remediation": remediation,
        "timeline": queries.remediation_timeline(site, request.user),
        "may_record": may_record_remediation(request.user, site.country),
        "may_publish": may_publish(request.user, site.country),
        "as_of_text": date.text,
        "as_of_error": date.error,
        "proposed_changes": [] if date.as_of else _pending_changes(remediation, request.user),
    }
    return render_to_string("remediation/_site_section.html", context, request)


def _pending_changes(remediation: queries.SiteRemediation, user) -> list[proposals.ShownChange]:
    """Changes to the site's published hazards, measures and visits that wait for review, for who may read them."""
    records = [*remediation.hazards, *(progress.measure for progress in remediation.measures), *remediation.visits]
    return proposals.pending_changes_shown(records, user)
