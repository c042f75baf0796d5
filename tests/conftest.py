"""Shared fixtures: plain builders for records, used by every test folder."""

import pytest
from django.contrib.gis.geos import Point

from sites.models import Commodity, Country, MineSite, SiteStatus


def make_site(**overrides) -> MineSite:
    values = {
        "name": "Test mine",
        "country": Country.INDONESIA,
        "status": SiteStatus.ACTIVE,
        "commodities": [Commodity.NICKEL],
        "location": Point(121.5, -2.5, srid=4326),
        "is_published": True,
    }
    values.update(overrides)
    return MineSite.objects.create(**values)


@pytest.fixture
def site_factory(db):
    return make_site
