"""Builders for hazards, measures, visits and people with per-country roles."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Polygon
from pyproj import Transformer

from access.models import Membership, Role
from remediation.models import (
    Hazard,
    HazardPriority,
    HazardType,
    MeasureStage,
    MeasureType,
    MonitoringVisit,
    RemediationMeasure,
)

# A 1 km x 1 km square laid out in UTM 51S (EPSG:32751) near the test site (121.5 E, 2.5 S).
UTM_51S = 32751
SQUARE_ORIGIN = (333_000.0, 9_723_000.0)


def utm_square_in_wgs84(side_m: float = 1000.0, origin=SQUARE_ORIGIN) -> MultiPolygon:
    """A square drawn in UTM metres, its corners reprojected to lon/lat: the reference area is side²."""
    to_wgs84 = Transformer.from_crs(UTM_51S, 4326, always_xy=True)
    x0, y0 = origin
    corners = [(x0, y0), (x0 + side_m, y0), (x0 + side_m, y0 + side_m), (x0, y0 + side_m), (x0, y0)]
    return MultiPolygon(Polygon([to_wgs84.transform(x, y) for x, y in corners], srid=4326), srid=4326)


def make_member(username: str, role: str, country: str, **extra) -> User:
    user = User.objects.create_user(username, password="pw", email=f"{username}@example.org", **extra)
    Membership.objects.create(user=user, role=role, country=country)
    return user


def make_hazard(site, **overrides) -> Hazard:
    values = {"site": site, "hazard_type": HazardType.OPEN_SHAFT, "priority": HazardPriority.EXTREME_DANGER}
    values.update(overrides)
    return Hazard.objects.create(**values)


def make_measure(site, **overrides) -> RemediationMeasure:
    values = {"site": site, "measure_type": MeasureType.SHAFT_CAPPING, "stage": MeasureStage.PLANNED}
    values.update(overrides)
    return RemediationMeasure.objects.create(**values)


def make_visit(site, **overrides) -> MonitoringVisit:
    values = {"site": site, "visited_on": datetime.date(2025, 3, 1)}
    values.update(overrides)
    return MonitoringVisit.objects.create(**values)


@pytest.fixture
def officer(db):
    return make_member("officer-id", Role.ENVIRONMENTAL_OFFICER, "ID", first_name="Siti", last_name="Rahayu")


@pytest.fixture
def foreign_officer(db):
    return make_member("officer-ph", Role.ENVIRONMENTAL_OFFICER, "PH")


@pytest.fixture
def reviewer(db):
    return make_member("reviewer-id", Role.REVIEWER, "ID")


def png_bytes(size=(40, 30), colour=(30, 120, 60)) -> bytes:
    """A real PNG made by Pillow."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(params=["filesystem", "in-memory"])
def each_storage(request, settings):
    """Run a test with files on disk and again with Django's InMemoryStorage: no code may assume a local path."""
    if request.param == "in-memory":
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    from django.core.files.storage import InMemoryStorage, default_storage

    assert isinstance(default_storage, InMemoryStorage) == (request.param == "in-memory")
    return request.param


def body(response) -> bytes:
    """A response's bytes, streamed (files) or not (errors)."""
    return b"".join(response.streaming_content) if response.streaming else response.content
