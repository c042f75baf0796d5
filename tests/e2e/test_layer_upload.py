"""An uploader's whole path in a browser: sign in, upload, watch the queued import progress, read the report.

The upload is queued in the database (as in production) and a real `db_worker` process runs it
while the page polls; the page must then show the report without anyone reloading it.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from access.models import Membership, Role
from tests.geodata.conftest import UPLOADS
from tests.servers import BASE_DIR, url_of_the_test_database

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "ingest"]}}


@pytest.fixture
def queued_tasks(settings, tmp_path):
    settings.TASKS = DATABASE_TASKS
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def uploader(transactional_db):
    """Created before the browser starts (Django refuses ORM calls inside Playwright's event loop)."""
    user = User.objects.create_user("geologist", password="a long passphrase")
    Membership.objects.create(user=user, country="PH", role=Role.SURVEY_UPLOADER)
    return user


def run_worker_once(media_root: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url_of_the_test_database(),
        "SECRET_KEY": "worker-test",
        "MEDIA_ROOT": str(media_root),
    }
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--batch", "--no-startup-delay"]
    return subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


def test_upload_shows_progress_then_the_report(live_server, queued_tasks, uploader, browser_session, tmp_path):
    upload = tmp_path / "laguna points.kml"  # a space in the name, as real files have
    shutil.copy(UPLOADS / "geonode_valid.kml", upload)

    page = browser_session.page
    page.goto(f"{live_server.url}/accounts/login/?next=/layers/upload/")
    page.fill("input[name=username]", "geologist")
    page.fill("input[name=password]", "a long passphrase")
    page.click("main button[type=submit]")
    page.wait_for_url("**/layers/upload/")

    page.set_input_files("input[name=file]", str(upload))
    page.fill("input[name=title]", "Laguna sampling points")
    page.select_option("select[name=country]", "PH")
    page.select_option("select[name=theme]", "mineral_occurrences")
    page.click("main button[type=submit]")

    page.wait_for_url("**/layers/*/")
    assert page.locator("#progress-status").inner_text() == "Queued"
    assert page.locator("#progress-bar").is_visible()

    worker = run_worker_once(queued_tasks)
    assert worker.returncode == 0, worker.stderr

    # The polling script notices the finished job and reloads: the report replaces the progress bar.
    page.locator("#progress-bar").wait_for(state="detached", timeout=15000)
    assert page.locator("#progress-status").inner_text() == "Ready"
    report = page.locator("section.import-report").inner_text()
    assert "2 features read from" in report and "2 imported." in report
    assert page.locator(".attribute-table tbody tr").count() == 2
    assert browser_session.errors == []
