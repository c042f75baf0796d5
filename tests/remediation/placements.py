"""Where the database places a hazard for a reader, read independently of the code under test's views."""

import json

from django.db import connection

from remediation.models import Hazard


def hazard_location(hazard_id: int, *, generalised: bool) -> dict | None:
    """The hazard's location as GeoJSON: exact, or the 1 km Web Mercator grid node nearest its centroid."""
    geometry = "ST_Transform(ST_SnapToGrid(ST_Centroid(ST_Transform(location, 3857)), 1000), 4326)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ST_AsGeoJSON({geometry if generalised else 'location'}, 6) FROM {Hazard._meta.db_table} "
            "WHERE id = %s AND location IS NOT NULL",
            [hazard_id],
        )
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None
