"""Background work for sites: thin wrappers over the import service."""

from django.conf import settings
from django.utils import translation
from django_tasks import task

from sites.imports import run_inventory_import
from sites.models import InventoryImport


@task(queue_name="ingest")
def import_inventory_task(inventory_import_id: int, language: str = "") -> str:
    """Import an uploaded inventory; the outcome (report or error) is on the InventoryImport, in `language`."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return run_inventory_import(InventoryImport.objects.get(pk=inventory_import_id)).status
