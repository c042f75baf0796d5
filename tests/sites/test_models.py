"""Site rules and queries that PostGIS answers."""

import pytest
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.measure import D
from django.db import IntegrityError, transaction

from sites.models import Commodity, DataSource, MineSite, SiteStatus
from tests.conftest import make_site

pytestmark = pytest.mark.django_db


def test_closed_year_before_opened_year_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_site(opened_year=2010, closed_year=2001)


def test_source_record_key_is_unique_per_source():
    survey = DataSource.objects.create(name="A survey")
    make_site(data_source=survey, source_record_key="X1")
    make_site(data_source=survey, source_record_key="")  # sites entered by hand have no key, any number of them
    make_site(data_source=survey, source_record_key="")
    make_site(data_source=DataSource.objects.create(name="Another survey"), source_record_key="X1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_site(data_source=survey, source_record_key="X1")


def test_commodity_and_country_filters():
    nickel = make_site(commodities=[Commodity.NICKEL, Commodity.COBALT])
    make_site(commodities=[Commodity.COAL], country="PH")
    assert list(MineSite.objects.with_commodity(Commodity.COBALT)) == [nickel]
    assert MineSite.objects.in_country("PH").count() == 1


def test_spatial_queries_run_on_postgis():
    near = make_site(location=Point(121.50, -2.50, srid=4326))
    make_site(location=Point(125.0, 8.0, srid=4326))
    box = Polygon.from_bbox((121, -3, 122, -2))
    assert list(MineSite.objects.filter(location__within=box)) == [near]
    assert list(MineSite.objects.filter(location__distance_lte=(Point(121.52, -2.5, srid=4326), D(km=5)))) == [near]


def test_every_change_is_kept_in_history():
    site = make_site(status=SiteStatus.ACTIVE)
    site.status = SiteStatus.CLOSED
    site.save()
    assert [record.status for record in site.history.order_by("history_date")] == ["active", "closed"]
