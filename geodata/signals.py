"""Signal receivers of geodata, connected in GeodataConfig.ready()."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from geodata.models import Layer, LayerVersion
from geodata.services import discard_stored_file_if_unused, discard_upload_if_unused


@receiver(post_delete, sender=Layer, dispatch_uid="geodata.discard_deleted_layer_upload")
def discard_deleted_layer_upload(sender, instance: Layer, **kwargs) -> None:
    """A deleted layer's stored upload goes too, unless a sibling from the same upload still uses it."""
    discard_upload_if_unused(instance)


@receiver(post_delete, sender=LayerVersion, dispatch_uid="geodata.discard_deleted_version_file")
def discard_deleted_version_file(sender, instance: LayerVersion, **kwargs) -> None:
    """An earlier version's stored upload goes with it (when its layer is deleted), unless still in use."""
    discard_stored_file_if_unused(instance.stored_file)
