"""Background work for survey layers: thin wrappers over the ingest service, and the worker that runs them."""

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.utils import translation
from django_tasks import task

from access import review_events
from geodata.ingest import ingest_layer
from geodata.models import Layer, LayerStatus
from geodata.services import discard_refused_upload, fail_jobs_of_gone_workers, sweep_stale_imports, worker_identity
from geodata.stored_files import local_file
from geodata.versions import settle_import

logger = logging.getLogger(__name__)

# What other apps want checked now and then (a weekly e-mail, say), registered from their AppConfig.ready():
# the worker calls each with every sweep, so each must be cheap when there is nothing to do.
periodic_jobs: list[Callable[[], None]] = []


@task(queue_name="ingest")
def ingest_layer_task(
    layer_id: int, srid: int | None = None, encoding: str = "", layer_name: str = "", language: str = ""
) -> str:
    """Run the ingest of a stored upload; the outcome is on the layer (status and report).

    A new file for an existing layer (a staged change) then replaces or adds to that layer's data.
    The report's messages are written in `language`, the uploader's (the worker has no request of its own).

    Layers whose worker died are failed first, so nothing stays "processing" forever.
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        return _ingest(layer_id, srid, encoding, layer_name)


def _ingest(layer_id: int, srid: int | None, encoding: str, layer_name: str) -> str:
    sweep_stale_imports()
    layer = Layer.objects.get(pk=layer_id)
    # Named as the ingest's own temporary folders, so the sweep of a dead worker removes a copy too.
    with local_file(layer.upload_file, prefix=f"ingest-{layer.pk}-") as upload_path:
        ingest_layer(
            layer,
            upload_path,
            srid=srid,
            encoding=encoding or None,
            layer_name=layer_name or None,
            original_name=layer.upload_name or None,
        )
    discard_refused_upload(layer)
    settle_import(layer)
    if layer.status == LayerStatus.READY and not layer.staged_for_id:
        # A new file for an existing layer asks for review itself when it waits (geodata.versions).
        review_events.review_requested.send(sender=Layer, record=layer, by=layer.created_by)
    return layer.status


def _sweep_quietly(**kwargs) -> None:
    try:
        fail_jobs_of_gone_workers(**kwargs)
        sweep_stale_imports()
    except Exception:  # the database may be down; the next sweep tries again
        logger.warning("sweeping abandoned imports failed", exc_info=True)
    for job in periodic_jobs:
        try:
            job()
        except Exception:
            logger.warning("the periodic job %s failed", job.__qualname__, exc_info=True)
    connections.close_all()


def _sweep_every(seconds: float, stop: threading.Event) -> None:
    while not stop.wait(seconds):
        _sweep_quietly()


def run_worker(*, queue_names: list[str], interval: float = 1.0, max_backoff: float = 30.0) -> None:
    """django_tasks_db's worker, kept alive: a database outage makes it wait and reconnect instead of exiting.

    On start, and every INGEST_SWEEP_SECONDS in a background thread, jobs whose worker is gone are
    failed (with their layers and temporary files). After a database error the worker also fails
    the job it was running itself, which the outage interrupted.
    """
    from django_tasks_db.management.commands.db_worker import Worker

    worker_id = worker_identity()
    stop = threading.Event()
    _sweep_quietly()
    threading.Thread(target=_sweep_every, args=(settings.INGEST_SWEEP_SECONDS, stop), daemon=True).start()
    backoff = 1.0
    try:
        while True:
            worker = Worker(
                queue_names=queue_names,
                interval=interval,
                batch=False,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            )
            worker.configure_signals()
            started = time.monotonic()
            try:
                worker.run()
                return
            except (OperationalError, InterfaceError) as error:
                if time.monotonic() - started > 60:
                    backoff = 1.0
                logger.warning("The database is not answering (%s); the worker reconnects in %.0f s.", error, backoff)
                connections.close_all()
                time.sleep(backoff)
                backoff = min(backoff * 2, max_backoff)
                _sweep_quietly(abandoned_by=worker_id)
    finally:
        stop.set()
