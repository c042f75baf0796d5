"""Turn DATABASE_URL into Django's DATABASES entry; without it, use the project-local cluster."""

import os
from urllib.parse import parse_qs, unquote, urlparse

# Where `make db` starts the project-local PostGIS cluster (kept in step with the Makefile's PG_PORT).
LOCAL_CLUSTER_PORT = os.environ.get("MINEREG_PG_PORT", "5441")
LOCAL_CLUSTER_URL = f"postgis://minereg@/minereg?host=/tmp/minereg-pg-{LOCAL_CLUSTER_PORT}&port={LOCAL_CLUSTER_PORT}"


def database_from_url(url: str) -> dict:
    """postgres://user:password@host:port/name?host=/socket/dir -> a Django DATABASES entry."""
    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql", "postgis"}:
        raise ValueError(f"DATABASE_URL must start with postgres:// or postgis://, not {parts.scheme}://")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "ENGINE": "django.contrib.gis.db.backends.postgis",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query.get("host") or parts.hostname or "",
        "PORT": str(query.get("port") or parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # JIT makes PostGIS-heavy queries (tiles, bbox) several times slower; see PERF notes.
        "OPTIONS": {"options": "-c jit=off"},
    }
