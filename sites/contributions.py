"""What the apps above sites add to the sites' map and pages, registered from their AppConfig.ready().

Sites never imports those apps: it shows what was registered here. Three kinds of contribution:
- a `SiteColouring`: another way to colour single sites on the map (remediation's progress), which
  becomes a "Colour by" choice, an attribute of the site tiles and a legend;
- a `MapOverlay`: a tile overlay of the public map with its legend (treated areas, hazards);
- a `SitePanel`: a section of the site page, with the overlays it adds to the site's own map.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.safestring import SafeString

from geodata.maps import Overlay, TileOverlay


@dataclass(frozen=True)
class SiteColouring:
    """`name` is the ?colour= value and the attribute a lone site carries in the tiles.

    `column_sql(site_id_sql, countries_param)` is the SQL of that attribute for one site, where
    `countries_param` names the list of countries whose drafts count for this reader
    (`draft_countries(user)`); `sources` are the tile sources its values come from.
    """

    name: str
    label: str
    colours: dict[str, str]
    legend: Callable[[], list[tuple[str, str]]]
    sources: tuple[str, ...]
    draft_countries: Callable[[object], set[str]]
    column_sql: Callable[[str, str], str]


@dataclass(frozen=True)
class MapOverlay:
    """A tile overlay of the public map (off until switched on) and what its colours mean."""

    overlay: Callable[[], TileOverlay]
    legend_title: str
    legend: Callable[[], list[tuple[str, str]]]


@dataclass(frozen=True)
class SitePageDate:
    """The date the site page is shown "as of" (?as_of=), which panels with a history follow."""

    as_of: datetime.datetime | None = None  # the end of that day, in UTC; None for today
    text: str = ""  # as typed, to show back in the form
    error: str = ""


@dataclass(frozen=True)
class SitePanel:
    """A section of the site page: `render(request, site, date)` gives its HTML; `overlays(site)` adds to its map."""

    render: Callable[[object, object, SitePageDate], SafeString]
    overlays: Callable[[object], list[Overlay]] = lambda site: []


_COLOURINGS: dict[str, SiteColouring] = {}
_MAP_OVERLAYS: list[MapOverlay] = []
_SITE_PANELS: list[SitePanel] = []


def register_colouring(colouring: SiteColouring) -> None:
    _COLOURINGS[colouring.name] = colouring


def colouring(name: str) -> SiteColouring | None:
    return _COLOURINGS.get(name)


def colourings() -> list[SiteColouring]:
    return list(_COLOURINGS.values())


def register_map_overlay(overlay: MapOverlay) -> None:
    _MAP_OVERLAYS.append(overlay)


def map_overlays() -> list[MapOverlay]:
    return list(_MAP_OVERLAYS)


def register_site_panel(panel: SitePanel) -> None:
    _SITE_PANELS.append(panel)


def site_panels() -> list[SitePanel]:
    return list(_SITE_PANELS)
