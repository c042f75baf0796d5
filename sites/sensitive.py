"""Sensitive locations: the public learns roughly, not exactly, where a priority-1 hazard is.

An open shaft or an unstable highwall is a danger to people (priority 1); publishing its exact
position invites visitors. For anyone who is not an officer or reviewer of the hazard's country,
its location is the centre of the ~1 km grid cell (0.01°) holding the hazard's centroid.
"""

import math

from django.contrib.gis.geos import GEOSGeometry, Point

from sites.models import Hazard, HazardPriority
from sites.permissions import countries_seeing_drafts

GENERALISED_CELL_DEGREES = 0.01


def must_generalise(hazard: Hazard, user) -> bool:
    return hazard.priority == HazardPriority.EXTREME_DANGER and hazard.site.country not in countries_seeing_drafts(user)


def generalised_point(geometry: GEOSGeometry) -> Point:
    """The centre of the grid cell holding the geometry's centroid."""
    centre = geometry.centroid
    cell = GENERALISED_CELL_DEGREES

    def snap(value: float) -> float:
        return round(math.floor(value / cell) * cell + cell / 2, 6)

    return Point(snap(centre.x), snap(centre.y), srid=4326)


def location_for(hazard: Hazard, user) -> GEOSGeometry | None:
    if hazard.location is None or not must_generalise(hazard, user):
        return hazard.location
    return generalised_point(hazard.location)
