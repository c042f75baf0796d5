"""Fixtures of the operations tests: a real Redis server (Debian's redis-server on a free port, no persistence)
and a signed-in survey uploader."""

import subprocess
import time

import pytest
import redis
from django.contrib.auth.models import User

from access.models import Membership, Role
from tests.servers import free_port


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def redis_caches(settings, redis_url):
    """The settings' Redis variant of CACHES, on the test server, emptied before and after."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": "t"},
        settings.TILE_CACHE_ALIAS: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "t-tiles",
            "TIMEOUT": 3600,
        },
    }
    redis.Redis.from_url(redis_url).flushdb()
    yield redis_url
    redis.Redis.from_url(redis_url).flushdb()


@pytest.fixture
def uploader(client):
    user = User.objects.create_user("uploader", password="pw")
    Membership.objects.create(user=user, role=Role.SURVEY_UPLOADER, country="ID")
    client.force_login(user)
    return user
