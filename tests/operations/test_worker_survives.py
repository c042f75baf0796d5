"""The background worker survives: a killed worker's job fails fast and cleans up; a database restart is waited out."""

import os
import signal
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from geodata import services
from geodata.models import Layer, LayerStatus
from tests.geodata.conftest import UPLOADS
from tests.operations.workers import DATABASE_TASKS, queue_upload, running_worker, uploader, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued_tasks(settings, tmp_path):
    settings.TASKS = DATABASE_TASKS
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "tmp").mkdir()
    return settings.MEDIA_ROOT, tmp_path / "tmp"


def big_geojson(path: Path, count: int = 150_000) -> Path:
    """Enough small polygons that an import takes a few seconds: time to kill its worker in the middle."""
    with path.open("w") as out:
        out.write('{"type":"FeatureCollection","features":[')
        for index in range(count):
            x, y = 120 + (index % 400) * 0.01, 10 + (index // 400) * 0.01
            ring = f"[[{x},{y}],[{x + 0.005},{y}],[{x + 0.005},{y + 0.005}],[{x},{y}]]"
            out.write(("," if index else "") + f'{{"type":"Feature","properties":{{"n":{index}}},')
            out.write(f'"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}')
        out.write("]}")
    return path


def layer_status(layer: Layer) -> str:
    layer.refresh_from_db()
    return layer.status


def job_of(layer: Layer) -> DBTaskResult:
    return DBTaskResult.objects.filter(args_kwargs__args__0=layer.pk).order_by("-enqueued_at").first()


def test_a_killed_worker_s_job_fails_within_the_sweep_interval_and_its_files_go(queued_tasks, tmp_path):
    media_root, temp_dir = queued_tasks
    layer = queue_upload(big_geojson(tmp_path / "many polygons.geojson"), "Many polygons")
    with running_worker(media_root, temp_dir) as doomed:
        leftovers = wait_for(lambda: list(temp_dir.glob(f"ingest-{layer.pk}-*")), timeout=60, step=0.02)
        assert leftovers, "the import never started"
        assert layer_status(layer) == LayerStatus.PROCESSING
        with running_worker(media_root, temp_dir, sweep_seconds=1.0):
            os.kill(doomed.pid, signal.SIGKILL)
            doomed.wait()
            # Within the sweep interval (1 s here) and some slack, the survivor notices.
            assert wait_for(lambda: layer_status(layer) == LayerStatus.FAILED, timeout=15)
            assert "worker" in layer.report["error"]
            assert job_of(layer).status == "FAILED"
            assert not any(folder.exists() for folder in leftovers)

            # The layer's retry imports it again, on the surviving worker.
            services.retry_ingest(layer=layer, by=uploader(), options=services.IngestOptions())
            assert wait_for(lambda: layer_status(layer) == LayerStatus.READY, timeout=180, step=0.5), layer.report
    assert layer.feature_count == 150_000


def test_a_new_worker_fails_the_jobs_of_a_dead_one_when_it_starts(queued_tasks, tmp_path):
    media_root, temp_dir = queued_tasks
    layer = queue_upload(big_geojson(tmp_path / "many polygons.geojson", 100_000), "Many polygons")
    with running_worker(media_root, temp_dir, sweep_seconds=600) as doomed:
        leftovers = wait_for(lambda: list(temp_dir.glob(f"ingest-{layer.pk}-*")), timeout=60, step=0.02)
        assert leftovers
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait()
    assert layer_status(layer) == LayerStatus.PROCESSING  # nobody noticed yet
    with running_worker(media_root, temp_dir, sweep_seconds=600):
        assert wait_for(lambda: layer_status(layer) == LayerStatus.FAILED, timeout=15)
        assert not any(folder.exists() for folder in leftovers)


def restart_postgresql() -> None:
    """Restart the cluster the tests run on (the project-local one: its data directory is asked, not assumed)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        data_directory = cursor.fetchone()[0]
    connection.close()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    pg_ctl = "/usr/lib/postgresql/15/bin/pg_ctl"
    subprocess.run([*as_postgres, pg_ctl, "-D", data_directory, "restart", "-m", "fast", "-w", "-t", "60"], check=True)


def test_the_worker_waits_out_a_database_restart_and_runs_the_next_upload(queued_tasks):
    media_root, temp_dir = queued_tasks
    with running_worker(media_root, temp_dir) as worker:
        first = queue_upload(UPLOADS / "geonode_valid.kml", "Before the restart")
        assert wait_for(lambda: layer_status(first) == LayerStatus.READY, timeout=60)
        try:
            restart_postgresql()
        finally:
            assert wait_for(lambda: _database_answers(), timeout=60, step=0.5)
        wait_for(lambda: worker.poll() is not None, timeout=3)  # the old worker would have exited by now
        second = queue_upload(UPLOADS / "geonode_valid.kml", "After the restart")
        assert wait_for(lambda: layer_status(second) == LayerStatus.READY, timeout=90, step=0.5), second.report
        assert worker.poll() is None


def _database_answers() -> bool:
    try:
        connection.close()
        connection.ensure_connection()
        return True
    except Exception:
        return False
