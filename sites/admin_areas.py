"""A site's admin area, derived from the published boundary layers of its country (geodata.boundaries).

Derived on every site save and import, and for all sites of a country again when one of its
boundary layers is published, withdrawn, re-imported or marked. A person may type another name
with a reason (`admin_area_override_reason`): the derived name then leaves it alone. A name typed
without a reason where a boundary layer names the place is refused. Where no boundary covers a
site, a typed name stays, and a name derived earlier is cleared.
"""

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from geodata.boundaries import area_name_sql
from sites.models import MineSite

_FIELD_LENGTH = MineSite._meta.get_field("admin_area").max_length

# One statement for any set of sites: each one's derived name, what its admin area becomes, then only the changes.
_UPDATE_SQL = f"""
    WITH derived AS (
        SELECT s.id, s.admin_area_is_derived AS was_derived, s.admin_area AS current,
               left({area_name_sql(point_sql="s.location", country_sql="s.country")}, {_FIELD_LENGTH}) AS name
        FROM {MineSite._meta.db_table} s
        WHERE s.admin_area_override_reason = '' AND {{where}}
    ), settled AS (
        SELECT id, name IS NOT NULL AS is_derived,
               coalesce(name, CASE WHEN was_derived THEN '' ELSE current END) AS admin_area
        FROM derived
    )
    UPDATE {MineSite._meta.db_table} s
    SET admin_area = settled.admin_area, admin_area_is_derived = settled.is_derived, updated_at = now()
    FROM settled
    WHERE s.id = settled.id
      AND (s.admin_area <> settled.admin_area OR s.admin_area_is_derived <> settled.is_derived)
"""


def derived_admin_area(country: str, location) -> str | None:
    """The name the country's published boundary layers give the point, or None where none covers it."""
    if not country or location is None:
        return None
    sql = f"SELECT left({area_name_sql(point_sql='ST_GeomFromEWKB(%s)', country_sql='%s')}, {_FIELD_LENGTH})"
    with connection.cursor() as cursor:
        cursor.execute(sql, [location.ewkb, country])
        return cursor.fetchone()[0]


def settle_admin_area(site: MineSite, *, typed: bool) -> None:
    """Give the site its derived admin area before it is saved, unless a person overrode it with a reason.

    `typed` says the admin area in hand was typed by a person in this change; typed without a
    reason, it must agree with the derived name (a ValidationError on `admin_area` says how to override).
    """
    if site.admin_area_override_reason.strip():
        site.admin_area_is_derived = False
        return
    derived = derived_admin_area(site.country, site.location)
    if derived is None:
        if site.admin_area_is_derived and not typed:
            site.admin_area = ""
        site.admin_area_is_derived = False
        return
    if typed and site.admin_area != derived:
        raise ValidationError({"admin_area": hand_value_refusal(derived)})
    site.admin_area, site.admin_area_is_derived = derived, True


def typed_admin_area_problem(*, country: str, location, admin_area: str, reason: str) -> str | None:
    """Why a form must refuse an admin area a person typed (None when it may be kept), as settle_admin_area rules."""
    if reason.strip():
        return None
    derived = derived_admin_area(country, location)
    return hand_value_refusal(derived) if derived is not None and admin_area != derived else None


def hand_value_refusal(derived: str) -> str:
    return _(
        "The boundary layers of this country place the site in “%(derived)s”. Leave the admin area as that, "
        "or give the reason for another name in “why the admin area is typed by hand”."
    ) % {"derived": derived}


def update_admin_areas(*, country: str | None = None, site_ids: list[int] | None = None) -> int:
    """Derive the admin area again for the sites of `country` or the given ones in one UPDATE; return how many changed.

    Bulk derivation writes no history rows (a boundary layer can move thousands of sites at once):
    the layer's own history says when and why.
    """
    if country is not None:
        where, params = "s.country = %s", [country]
    elif site_ids:
        where, params = "s.id = ANY(%s)", [list(site_ids)]
    else:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_UPDATE_SQL.replace("{where}", where), params)
        return cursor.rowcount
