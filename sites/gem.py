"""How a Global Energy Monitor (Global Coal Mine Tracker) record becomes a mine site."""

from access.models import Country
from sites.models import Commodity, MineType, SiteStatus

COUNTRY_BY_NAME = {
    "Brunei": Country.BRUNEI,
    "Cambodia": Country.CAMBODIA,
    "Indonesia": Country.INDONESIA,
    "Laos": Country.LAOS,
    "Malaysia": Country.MALAYSIA,
    "Myanmar": Country.MYANMAR,
    "Philippines": Country.PHILIPPINES,
    "Singapore": Country.SINGAPORE,
    "Thailand": Country.THAILAND,
    "Vietnam": Country.VIETNAM,
    "Timor-Leste": Country.TIMOR_LESTE,
}

STATUS_BY_GEM_STATUS = {
    "operating": SiteStatus.ACTIVE,
    "mothballed": SiteStatus.CARE_AND_MAINTENANCE,
    "retired": SiteStatus.CLOSED,
    "proposed": SiteStatus.PROPOSED,
    "shelved": SiteStatus.PROPOSED,
    "cancelled": SiteStatus.PROPOSED,
}

MINE_TYPE_BY_GEM_TYPE = {
    "surface": MineType.OPEN_PIT,
    "underground": MineType.UNDERGROUND,
    # Both methods at one mine: the surface workings are what the map shows; GEM's word is kept.
    "underground_and_surface": MineType.OPEN_PIT,
}


class UnmappableRecord(ValueError):
    """A GEM record that cannot become a site (unknown country or status)."""


def year_or_none(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 1800 <= int(text) <= 2200 else None


def site_fields(properties: dict) -> dict:
    """The MineSite fields for one GEM record (everything but location and provenance keys)."""
    try:
        country = COUNTRY_BY_NAME[properties["country"]]
        status = STATUS_BY_GEM_STATUS[properties["status"]]
    except KeyError as missing:
        raise UnmappableRecord(f"GEM record {properties.get('id')}: no mapping for {missing}") from None
    opened, closed = year_or_none(properties.get("opening_year")), year_or_none(properties.get("closing_year"))
    if opened and closed and closed < opened:
        closed = None  # a planned closure before a planned opening: keep the source's words, not the contradiction
    return {
        "name": properties["project"].strip(),
        "country": country,
        "status": status,
        "mine_type": MINE_TYPE_BY_GEM_TYPE.get(properties.get("mine-type"), MineType.UNKNOWN),
        "commodities": [Commodity.COAL],
        "operator": (properties.get("owner") or "").strip(),
        "opened_year": opened,
        "closed_year": closed,
        "source_record_id": properties["id"],
        "source_status": properties["status"],
        "source_url": properties.get("url") or "",
    }
