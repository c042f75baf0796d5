"""The API token page: only its owner sees a token, making a new one revokes the old."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from access.models import Country, Role
from tests.api.conftest import make_user

NEW_SITE = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [115.5, -3.5]},
    "properties": {"name": "Token test pit", "country": Country.INDONESIA, "status": "active", "mine_type": "open_pit"},
}


def api_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_page_asks_strangers_to_sign_in(client, db):
    response = client.get("/accounts/api-token/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post("/accounts/api-token/").status_code == 302
    assert not Token.objects.exists()


def test_looking_does_not_make_a_token_and_posting_does(client, db):
    user = make_user("officer", (Country.INDONESIA, Role.SURVEY_UPLOADER))
    client.force_login(user)
    page = client.get("/accounts/api-token/")
    assert "You have no API token yet" in page.content.decode()
    assert not Token.objects.filter(user=user).exists()
    client.post("/accounts/api-token/")
    key = Token.objects.get(user=user).key
    assert key in client.get("/accounts/api-token/").content.decode()


def test_the_token_writes_as_its_owner_and_a_new_one_revokes_it(client, db):
    user = make_user("officer", (Country.INDONESIA, Role.SURVEY_UPLOADER))
    client.force_login(user)
    client.post("/accounts/api-token/")
    first = Token.objects.get(user=user).key
    created = api_with(first).post("/api/sites/", NEW_SITE, format="json")
    assert created.status_code == 201, created.content
    client.post("/accounts/api-token/")
    second = Token.objects.get(user=user).key
    assert second != first
    assert api_with(first).post("/api/sites/", NEW_SITE, format="json").status_code == 401
    assert api_with(second).post("/api/sites/", NEW_SITE, format="json").status_code == 201


def test_one_person_never_sees_anothers_token(client, db):
    owner = make_user("owner")
    Token.objects.create(user=owner)
    client.force_login(make_user("other"))
    assert Token.objects.get(user=owner).key not in client.get("/accounts/api-token/").content.decode()
