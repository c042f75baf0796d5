"""Tiles for strangers take a short path past the page middleware; everyone else takes the whole stack."""

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point

from tests.conftest import make_site
from tests.geodata.test_tiles import SULAWESI, site_tile_url, total

pytestmark = pytest.mark.django_db


def test_a_strangers_tile_skips_the_page_middleware_but_keeps_the_security_headers(client):
    make_site(name="Published")
    response = client.get(site_tile_url(3))
    assert total(response) == 1
    assert response["X-Content-Type-Options"] == "nosniff"  # the security middleware ran
    assert "Content-Security-Policy" not in response  # the page middleware did not
    assert not response.cookies


def test_a_signed_in_readers_tile_takes_the_whole_stack_and_shows_their_drafts(client):
    make_site(name="Published")
    make_site(name="Draft", location=Point(SULAWESI[0] + 0.001, SULAWESI[1]), is_published=False)
    client.force_login(User.objects.create_user("staff", is_staff=True))
    response = client.get(site_tile_url(3))
    assert total(response) == 2
    assert "Content-Security-Policy" in response


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/tiles/nowhere/3/1/1.pbf", 404), ("post", site_tile_url(3), 405), ("get", "/tiles/sites/3/x/1.pbf", 400)],
)
def test_what_is_not_a_strangers_tile_request_is_answered_as_before(client, method, path, status):
    assert getattr(client, method)(path).status_code == status
