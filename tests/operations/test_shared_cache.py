"""The cache in Redis: REDIS_URL selects it, throttles and tiles live there, several processes share it;
the anonymous throttle believes X-Forwarded-For only from TRUSTED_PROXIES."""

import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import redis
from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle

from tests.conftest import make_site
from tests.servers import BASE_DIR, gunicorn

pytestmark = pytest.mark.django_db


def test_redis_url_selects_django_s_redis_cache_for_every_alias(redis_url):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x", "REDIS_URL": redis_url}
    code = (
        "from django.conf import settings; import django; django.setup();"
        "print(sorted((alias, c['BACKEND'], c['LOCATION']) for alias, c in settings.CACHES.items()))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    backend = "django.core.cache.backends.redis.RedisCache"
    assert out.stdout.strip() == str(sorted([("default", backend, redis_url), ("tiles", backend, redis_url)]))
    without = {key: value for key, value in env.items() if key != "REDIS_URL"}
    out = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=without, capture_output=True, text=True)
    assert "LocMemCache" in out.stdout and "Redis" not in out.stdout


def test_tiles_are_cached_in_redis(client, redis_caches):
    make_site()
    first = client.get("/tiles/sites/0/0/0.pbf")
    assert first.status_code == 200
    keys = redis.Redis.from_url(redis_caches).keys("t-tiles:*")
    assert keys, "no tile was cached in Redis"
    second = client.get("/tiles/sites/0/0/0.pbf")
    assert second.content == first.content


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_spoofed_forwarded_addresses_from_one_client_are_throttled_as_one(client, request, monkeypatch, backend):
    if backend == "redis":
        request.getfixturevalue("redis_caches")
    caches["default"].clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100/minute"})
    statuses = [
        client.get("/api/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n % 250}, 198.51.100.{n // 250}").status_code
        for n in range(200)
    ]
    assert statuses.count(200) == 100 and statuses.count(429) == 100


def test_forwarded_addresses_count_when_they_come_from_a_trusted_proxy(client, settings, redis_caches, monkeypatch):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    statuses = [client.get("/api/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(10)]
    assert statuses == [200] * 10
    same = [client.get("/api/", HTTP_X_FORWARDED_FOR="203.0.113.77").status_code for _ in range(3)]
    assert same == [200, 200, 429]


@pytest.mark.django_db(transaction=True)
def test_two_server_processes_share_the_anonymous_throttle_through_redis(redis_url, tmp_path):
    redis.Redis.from_url(redis_url).flushdb()
    environment = {"REDIS_URL": redis_url, "API_ANON_THROTTLE_RATE": "6/minute"}
    with (
        gunicorn(tmp_path / "static-a", **environment) as first,
        gunicorn(tmp_path / "static-b", **environment) as second,
    ):
        statuses = [status_of(server + "/api/") for _ in range(4) for server in (first, second)]
    assert statuses == [200] * 6 + [429, 429]


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
