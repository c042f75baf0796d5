"""A database that refuses connections answers 503 with Retry-After, in each client's shape, never 500."""

import pytest
from django.db import connection


@pytest.fixture
def database_refuses(transactional_db):
    """Point the connection at a port where nothing listens (the real server stays up for everyone else)."""
    real = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = "1"
    connection.settings_dict["HOST"] = "127.0.0.1"
    yield
    connection.close()
    connection.settings_dict.update(real)


def test_a_page_answers_a_short_503_page(client, database_refuses):
    response = client.get("/sites/")
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response["Content-Type"].startswith("text/html")
    assert b"Temporarily unavailable" in response.content


def test_the_api_answers_503_json(client, database_refuses):
    response = client.get("/api/sites/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert set(response.json()) == {"error"}


def test_the_ogc_api_answers_503_with_an_ogc_exception(client, database_refuses):
    for url in ("/ogc/collections/sites/items", "/ogc/collections"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert int(response["Retry-After"]) > 0
        assert set(response.json()) == {"code", "description"}


def test_the_health_check_still_answers_its_own_503(client, database_refuses):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_pages_work_again_once_the_database_answers(client, transactional_db):
    assert client.get("/sites/").status_code == 200
