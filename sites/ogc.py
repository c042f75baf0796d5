"""The sites as an OGC API – Features collection (registered from SitesConfig.ready())."""

from django.utils.translation import gettext

from geodata.ogc.collections import Collection
from sites.queries import visible_sites
from sites.tenure import TENURE_FIELDS


def _site_properties(site) -> dict:
    return {
        "name": site.name,
        "country": site.country,
        "admin_area": site.admin_area,
        "status": site.status,
        "mine_type": site.mine_type,
        "commodities": ", ".join(site.commodities),
        "operator": site.operator,
        "opened_year": site.opened_year,
        "closed_year": site.closed_year,
        "source_record_id": site.source_record_id,
        **{name: _plain(getattr(site, name)) for name in TENURE_FIELDS},
        "updated_at": site.updated_at.isoformat(),
    }


def _plain(value):
    """Dates as ISO text and amounts as their decimal text, as the REST API writes them."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def sites_collection() -> Collection:
    return Collection(
        id="sites",
        title=gettext("Mine sites"),
        description=gettext(
            "Mine sites of the ASEAN states and Timor-Leste: status, commodities, operator, tenure, liability."
        ),
        rows=lambda user: visible_sites(user).order_by("pk"),
        properties=_site_properties,
        geometry_field="location",
        datetime_field="updated_at",
        keywords=["mining", "mine sites"],
    )
