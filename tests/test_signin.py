"""Sign-in: lock-out after repeated failures per account and per address, counted from trusted proxies only."""

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from config.client_ip import client_ip

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def alice():
    return User.objects.create_user("alice", password=PASSWORD)


@pytest.fixture
def bob():
    return User.objects.create_user("bob", password=PASSWORD)


def sign_in(client, username, password, address="10.0.0.1", **headers):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_with_a_message_saying_when(client, alice):
    statuses = [sign_in(client, "alice", "wrong").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the form again with its error, then the lock-out page
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    text = response.content.decode()
    assert "Too many failed sign-in attempts" in text and "Try again in 15 minutes" in text


def test_the_account_stays_locked_from_another_address(client, alice):
    for _ in range(5):
        sign_in(client, "alice", "wrong", address="10.0.0.1")
    assert sign_in(client, "alice", PASSWORD, address="10.0.0.2").status_code == 429
    assert not signed_in(client)


def test_the_address_is_locked_for_other_accounts_too(client, alice, bob):
    for _ in range(5):
        sign_in(client, "alice", "wrong", address="10.0.0.3")
    assert sign_in(client, "bob", PASSWORD, address="10.0.0.3").status_code == 429
    assert not signed_in(client)
    assert sign_in(client, "bob", PASSWORD, address="10.0.0.4").status_code == 302  # elsewhere bob is fine
    assert signed_in(client)


def test_fewer_failures_do_not_lock(client, alice):
    for _ in range(4):
        sign_in(client, "alice", "wrong")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    assert signed_in(client)


def test_forwarded_for_is_ignored_from_an_untrusted_peer(client, bob):
    """Five failures of five made-up accounts, each claiming another X-Forwarded-For: one address all along."""
    for number in range(5):
        sign_in(client, f"nobody{number}", "wrong", address="10.0.0.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    response = sign_in(client, "bob", PASSWORD, address="10.0.0.9", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429


@override_settings(TRUSTED_PROXIES=["10.0.0.9"])
def test_forwarded_for_counts_behind_a_trusted_proxy(client, bob):
    for number in range(5):
        sign_in(client, f"nobody{number}", "wrong", address="10.0.0.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    response = sign_in(client, "bob", PASSWORD, address="10.0.0.9", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 302 and signed_in(client)


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_a_trusted_proxy_passes_on_the_address_it_received_from(client, bob, rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7, 10.0.0.5")
    assert client_ip(request) == "192.0.2.7"  # 6.6.6.6 was written by the client itself
    assert client_ip(rf.get("/", REMOTE_ADDR="192.0.2.8", HTTP_X_FORWARDED_FOR="10.0.0.1")) == "192.0.2.8"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.9")) == "10.0.0.9"
