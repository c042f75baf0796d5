"""Signing in lands where the person came from (or the map), never on Django's /accounts/profile/."""

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def person():
    return User.objects.create_user("ana", password=PASSWORD)


def test_the_top_bar_link_carries_the_page_it_was_on(client):
    html = client.get("/sites/?country=ID").content.decode()
    assert 'href="/en/accounts/login/?next=/sites/%3Fcountry%3DID"' in html


def test_signing_in_without_next_lands_on_the_map(client, person):
    response = client.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_signing_in_from_a_page_goes_back_to_it(client, person):
    response = client.post(
        "/accounts/login/?next=/sites/", {"username": "ana", "password": PASSWORD, "next": "/sites/"}
    )
    assert response.status_code == 302 and response["Location"] == "/sites/"
