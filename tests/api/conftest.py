"""Fixtures for the API tests: users per role, token clients, and a fresh throttle for each test."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from access.models import Membership, Role
from tests.conftest import make_site


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def make_user(username: str, *roles: tuple[str, str]) -> User:
    user = User.objects.create_user(username, password="pw-not-secret")
    for country, role in roles:
        Membership.objects.create(user=user, country=country, role=role)
    return user


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def uploader(db) -> User:
    return make_user("uploader-id", ("ID", Role.SURVEY_UPLOADER))


@pytest.fixture
def reviewer(db) -> User:
    return make_user("reviewer-id", ("ID", Role.REVIEWER))


@pytest.fixture
def api(db) -> APIClient:
    return APIClient()


@pytest.fixture
def site():
    return make_site(country="ID")


@pytest.fixture
def officer():
    return make_user("officer-id", ("ID", Role.ENVIRONMENTAL_OFFICER))
