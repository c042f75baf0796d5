"""The shipped reference layer of country outlines, and whether a layer lies in the country it is filed under.

The demo loads Natural Earth's admin-0 outlines of the eleven countries as the layer COUNTRY_OUTLINES_SLUG;
each outline names its country by `ADM0_A3` (its ISO 3166-1 alpha-3 code; the file's own ISO fields
are empty). Without that layer nothing is checked.
"""

from django.db import connection

from access.models import Country
from geodata.models import Feature, Layer

COUNTRY_OUTLINES_SLUG = "asean-country-outlines"
OUTLINE_CODE = {
    Country.BRUNEI: "BRN",
    Country.CAMBODIA: "KHM",
    Country.INDONESIA: "IDN",
    Country.LAOS: "LAO",
    Country.MALAYSIA: "MYS",
    Country.MYANMAR: "MMR",
    Country.PHILIPPINES: "PHL",
    Country.SINGAPORE: "SGP",
    Country.THAILAND: "THA",
    Country.VIETNAM: "VNM",
    Country.TIMOR_LESTE: "TLS",
}


def lies_outside_its_country(layer: Layer) -> bool:
    """True when the layer's extent does not touch its country's outline (False when that cannot be told)."""
    if not layer.country or layer.extent is None or layer.country not in OUTLINE_CODE:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT bool_or(ST_Intersects(outline.geom, %(extent)s::geometry))
                FROM {Feature._meta.db_table} AS outline
                JOIN {Layer._meta.db_table} AS layer ON layer.id = outline.layer_id
                WHERE layer.slug = %(slug)s AND outline.properties ->> 'ADM0_A3' = %(code)s""",
            {"extent": layer.extent.ewkt, "slug": COUNTRY_OUTLINES_SLUG, "code": OUTLINE_CODE[layer.country]},
        )
        touches = cursor.fetchone()[0]
    return touches is False
