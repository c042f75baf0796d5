"""Shared fixtures: plain builders for records, used by every test folder."""

import pytest
from django.contrib.gis.geos import Point

from access.models import Country
from sites.models import Commodity, MineSite, SiteStatus


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


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with empty caches: a tile kept by an earlier test must not answer for this one."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture
def site_factory(db):
    return make_site


def remove_all_registry_data() -> None:
    from geodata.models import Layer
    from sites.models import DataSource

    MineSite.objects.all().delete()
    MineSite.history.all().delete()
    Layer.objects.all().delete()
    Layer.history.all().delete()
    DataSource.objects.all().delete()


@pytest.fixture(scope="module")
def demo_report(django_db_setup, django_db_blocker):
    """The demo loaded once for a module (committed), removed again after it."""
    from sites.demo import load_demo

    with django_db_blocker.unblock():
        report = load_demo()
        yield report
        remove_all_registry_data()
