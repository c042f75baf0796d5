"""Where a hazard is shown to a reader: the public learns roughly, not exactly, where a priority-1 hazard is.

An open shaft or an unstable highwall is a danger to people (priority 1); publishing its exact
position invites visitors. Outside `countries_seeing_exact_places` its location is the node of a
1 km grid in Web Mercator nearest to its centroid. This module is the rule's one home: the Python
function (`location_for`), the ORM expression (`shown_location`) and the SQL pieces of the tiles
(`generalised_sql`, `snapped_sql`) all use SNAP_M, so the map, the click look-up, the REST and
OGC APIs, exports and pages never disagree.
"""

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import Centroid, SnapToGrid, Transform
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db.models import Case, F, Q, When

from access.visibility import draft_countries
from geodata.crs import web_mercator_to_lonlat
from remediation.models import Hazard, HazardPriority

SNAP_M = 1000  # the grid's spacing in Web Mercator metres


def countries_seeing_exact_places(user) -> set[str]:
    """Where `user` sees priority-1 hazards at their exact place: where they see hazard drafts (staff everywhere)."""
    return draft_countries(user, Hazard)


def must_generalise(hazard: Hazard, exact_countries: set[str]) -> bool:
    """`exact_countries`: where the reader sees hazards exactly (`countries_seeing_exact_places`)."""
    return hazard.priority == HazardPriority.EXTREME_DANGER and hazard.site.country not in exact_countries


def generalised_point(geometry: GEOSGeometry) -> Point:
    """The 1 km grid node (EPSG:3857) nearest to the geometry's centroid taken in EPSG:3857, in lon/lat.

    The centroid is taken after projecting, as the tiles' SQL does: for a tall polygon the centroid
    in longitude/latitude can fall nearer another grid node.
    """
    centre = geometry.transform(3857, clone=True).centroid
    longitude, latitude = web_mercator_to_lonlat(round(centre.x / SNAP_M) * SNAP_M, round(centre.y / SNAP_M) * SNAP_M)
    return Point(round(longitude, 6), round(latitude, 6), srid=4326)


def location_for(hazard: Hazard, exact_countries: set[str]) -> GEOSGeometry | None:
    if hazard.location is None or not must_generalise(hazard, exact_countries):
        return hazard.location
    return generalised_point(hazard.location)


def shown_location(exact_countries: set[str]) -> Case:
    """The location a reader sees, as a database expression (so a bbox can filter on what is shown).

    The grid node is computed as the hazard tiles compute it (`snapped_sql`: ST_SnapToGrid of the
    Web Mercator centroid), so a feature read through the OGC API sits where the map draws it.
    """
    snapped = Transform(SnapToGrid(Centroid(Transform("location", 3857)), SNAP_M), 4326)
    return Case(
        When(is_generalised(exact_countries), then=snapped),
        default=F("location"),
        output_field=GeometryField(srid=4326),
    )


def is_generalised(exact_countries: set[str]) -> Q:
    """`must_generalise` as a filter on hazards: priority 1 and a site outside `exact_countries`."""
    return Q(priority=HazardPriority.EXTREME_DANGER) & ~Q(site__country__in=sorted(exact_countries))


def generalised_sql(priority: str, country: str, exact_param: str) -> str:
    """`must_generalise` in SQL, over a row's priority and country columns; `exact_param` names the exact countries."""
    return f"({priority} = {HazardPriority.EXTREME_DANGER.value} AND NOT {country} = ANY(%({exact_param})s::varchar[]))"


def snapped_sql(mercator_geometry: str) -> str:
    """The grid node nearest a Web Mercator geometry's centroid, in SQL (what `shown_location` computes)."""
    return f"ST_SnapToGrid(ST_Centroid({mercator_geometry}), {SNAP_M})"


def snapped_coordinate_sql(mercator_coordinate: str) -> str:
    """One Web Mercator coordinate moved to the grid, as ST_SnapToGrid rounds it."""
    return f"round({mercator_coordinate} / {SNAP_M}) * {SNAP_M}"
