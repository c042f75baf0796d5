"""The production server, gunicorn, started on the test database for tests that need a real HTTP server.

Django's live server is enough for browsers and GDAL, but not for clients that send chunked or
malformed requests (schemathesis): it then waits for a body that never comes.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def url_of_the_test_database() -> str:
    db = connection.settings_dict
    return f"postgis://{quote(db['USER'])}:{quote(db['PASSWORD'])}@/{db['NAME']}?host={db['HOST']}&port={db['PORT']}"


@contextlib.contextmanager
def gunicorn(static_root: Path, **environment: str):
    """gunicorn serving config.wsgi on a free port with the production settings; yields its base URL."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url_of_the_test_database(),
        "DEBUG": "0",
        "SECRET_KEY": "served-by-gunicorn-test",
        "STATIC_ROOT": str(static_root),
        **environment,
    }
    subprocess.run(
        [VENV_BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True
    )
    port = free_port()
    server = subprocess.Popen(
        [VENV_BIN / "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120"],
        cwd=BASE_DIR,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        connection.close()  # gunicorn's connections are gone; ours reconnects for the flush
