"""Evidence files leave the disk with their record, however it is deleted (directly or with its parent)."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from remediation.models import Evidence


@receiver(post_delete, sender=Evidence)
def delete_evidence_files(sender, instance: Evidence, **kwargs) -> None:
    names = [name for name in (instance.file.name, instance.thumbnail.name, instance.public_file.name) if name]
    storage = instance.file.storage
    # Only once the deletion is committed: a rolled-back delete must keep its files.
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
