"""A real background worker (`manage.py run_worker`) on the test database, and queued uploads for it."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from access.models import Membership, Role
from geodata import services
from geodata.models import Layer
from tests.servers import BASE_DIR, url_of_the_test_database

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "ingest"]}}


@contextlib.contextmanager
def running_worker(media_root: Path, temp_dir: Path, sweep_seconds: float = 1.0):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url_of_the_test_database(),
        "SECRET_KEY": "worker-test",
        "MEDIA_ROOT": str(media_root),
        "TMPDIR": str(temp_dir),
        "INGEST_SWEEP_SECONDS": str(sweep_seconds),
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--queue-name", "*", "--interval", "0.2"], cwd=BASE_DIR, env=env
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def uploader() -> User:
    user, _ = User.objects.get_or_create(username="surveyor")
    Membership.objects.get_or_create(user=user, country="PH", role=Role.SURVEY_UPLOADER)
    return user


def queue_upload(path: Path, title: str) -> Layer:
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    return services.start_layer_upload(
        by=uploader(), upload=upload, metadata={"title": title, "country": "PH"}, options=services.IngestOptions()
    )


def wait_for(condition, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()
