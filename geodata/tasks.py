"""Background work for survey layers: thin wrappers over the ingest service."""

from pathlib import Path

from django_tasks import task

from geodata.ingest import ingest_layer
from geodata.models import Layer
from geodata.services import sweep_stale_imports


@task(queue_name="ingest")
def ingest_layer_task(layer_id: int, srid: int | None = None, encoding: str = "", layer_name: str = "") -> str:
    """Run the ingest of a stored upload; the outcome is on the layer (status and report).

    Layers whose worker died are failed first, so nothing stays "processing" forever.
    """
    sweep_stale_imports()
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
