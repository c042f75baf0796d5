"""Load the Southeast Asia demo: GEM coal mines as sites, plus the reference layers the map shows."""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.geos import Point
from django.db import transaction

from geodata.models import Theme
from geodata.outlines import COUNTRY_OUTLINES_SLUG
from geodata.services import ReferenceLayerSpec, load_reference_layer
from sites import gem
from sites.imports import upsert_sites
from sites.models import DataSource, MineSite
from sites.quality import flag_quality_issues

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
GEM_COAL_FILE = DEMO_DIR / "asean_coal_mines_gem_gcmt_2024-05.geojson"
ASEAN_ISO3 = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM", "TLS")

GEM_COAL_SOURCE = {
    "name": "Global Energy Monitor, Global Coal Mine Tracker (May 2024)",
    "publisher": "Global Energy Monitor",
    "url": "https://globalenergymonitor.org/projects/global-coal-mine-tracker/",
    "license": "CC BY 4.0",
    "attribution": "Global Energy Monitor, Global Coal Mine Tracker, May 2024 release (CC BY 4.0).",
}

REFERENCE_LAYERS = [
    ReferenceLayerSpec(
        slug=COUNTRY_OUTLINES_SLUG,
        title="ASEAN country outlines",
        theme=Theme.BOUNDARIES,
        path=DEMO_DIR / "asean_admin0_naturalearth_50m.geojson",
        license="Public domain",
        attribution="Made with Natural Earth (1:50m admin-0 countries).",
        abstract="Outlines of the ten ASEAN member states and Timor-Leste.",
    ),
    ReferenceLayerSpec(
        slug="gem-active-faults",
        title="Active faults (GEM, 2017)",
        theme=Theme.FAULTS,
        path=DEMO_DIR / "gem_active_faults_2017_asean.geojson",
        license="CC BY-SA 4.0",
        attribution="GEM Global Active Faults: Styron & Pagani (2020), GEM Foundation (CC BY-SA 4.0).",
        abstract="Active fault traces within 1° of the ASEAN countries. The 2017 release does not cover "
        "the Malay Archipelago.",
    ),
    ReferenceLayerSpec(
        slug="mining-areas",
        title="Mining areas (Maus et al. 2022; Tang & Werner 2023)",
        theme=Theme.OTHER,
        path=DEMO_DIR / "mining_polygons_combined_demo.gpkg",
        license="CC BY-SA 4.0",
        attribution="Maus et al. (2022) global mining areas v2 (CC BY-SA 4.0); Tang & Werner (2023) (CC BY 4.0).",
        abstract="Mining-area polygons mapped from satellite imagery; the ASEAN part of a demo subset.",
        keep_column="ISO3_CODE",
        keep_values=ASEAN_ISO3,
    ),
]


@dataclass
class DemoReport:
    sites_created: int = 0
    sites_updated: int = 0
    sites_unchanged: int = 0
    sites_by_country: dict[str, int] = field(default_factory=dict)
    layers_loaded: list[str] = field(default_factory=list)
    layers_unchanged: list[str] = field(default_factory=list)
    quality_flags: dict[str, int] = field(default_factory=dict)


def _site_row(feature: dict) -> dict:
    longitude, latitude = feature["geometry"]["coordinates"][:2]
    return {**gem.site_fields(feature["properties"]), "location": Point(longitude, latitude, srid=4326)}


@transaction.atomic
def load_demo() -> DemoReport:
    """Load or refresh the demo; running it twice leaves the same data."""
    report = DemoReport()
    for spec in REFERENCE_LAYERS:
        layer, loaded = load_reference_layer(spec)
        (report.layers_loaded if loaded else report.layers_unchanged).append(layer.title)

    source, _ = DataSource.objects.update_or_create(name=GEM_COAL_SOURCE["name"], defaults=GEM_COAL_SOURCE)
    features = json.loads(GEM_COAL_FILE.read_text(encoding="utf-8"))["features"]
    rows = [
        {
            **gem.site_fields(feature["properties"]),
            "location": Point(*feature["geometry"]["coordinates"][:2], srid=4326),
        }
        for feature in features
    ]
    # The same write path as an uploaded inventory (sites.imports), published as the demo ships it.
    outcome, _site_ids = upsert_sites(source, rows, publish=True, user=None)
    report.sites_created, report.sites_updated = outcome["created"], outcome["updated"]
    report.sites_unchanged = outcome["unchanged"]

    report.quality_flags = flag_quality_issues()
    report.sites_by_country = dict(
        Counter(MineSite.objects.filter(data_source=source).values_list("country", flat=True)).most_common()
    )
    return report
