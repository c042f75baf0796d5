"""Background work for survey layers: thin wrappers over the ingest service."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django_tasks import task

from geodata.ingest import ingest_layer, mark_stale_jobs_failed
from geodata.models import Layer


@task(queue_name="ingest")
def ingest_layer_task(layer_id: int, srid: int | None = None, encoding: str = "", layer_name: str = "") -> str:
    """Run the ingest of a stored upload; the outcome is on the layer (status and report).

    Layers whose worker died are failed first, so nothing stays "processing" forever.
    """
    mark_stale_jobs_failed(older_than=timedelta(minutes=settings.INGEST_STALE_AFTER_MINUTES))
    layer = Layer.objects.get(pk=layer_id)
    ingest_layer(
        layer,
        Path(layer.upload_file.path),
        srid=srid,
        encoding=encoding or None,
        layer_name=layer_name or None,
        original_name=layer.upload_name or None,
    )
    return layer.status
