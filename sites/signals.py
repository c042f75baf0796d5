"""Signal receivers of sites, connected in SitesConfig.ready(): admin areas follow the boundary layers."""

from django.dispatch import receiver

from access import review_events
from geodata import layer_events
from geodata.models import Layer
from sites.admin_areas import update_admin_areas


def _derive_again_for(layer: Layer, *, always: bool = False) -> None:
    if layer.country and (always or layer.boundary_name_field):
        update_admin_areas(country=layer.country)


@receiver(review_events.published, sender=Layer, dispatch_uid="sites.admin_areas_on_layer_published")
@receiver(review_events.withdrawn, sender=Layer, dispatch_uid="sites.admin_areas_on_layer_withdrawn")
def derive_admin_areas_on_review(sender, record: Layer, **kwargs) -> None:
    """A boundary layer published or withdrawn: every site of its country takes its area again."""
    _derive_again_for(record)


@receiver(layer_events.imported, sender=Layer, dispatch_uid="sites.admin_areas_on_layer_imported")
def derive_admin_areas_on_import(sender, layer: Layer, **kwargs) -> None:
    """A boundary layer imported again (its polygons may have moved), or failed and lost its features."""
    _derive_again_for(layer)


@receiver(layer_events.boundaries_marked, sender=Layer, dispatch_uid="sites.admin_areas_on_boundaries_marked")
def derive_admin_areas_on_marking(sender, layer: Layer, **kwargs) -> None:
    """A layer marked or unmarked as boundaries (unmarked, its names must go from the sites)."""
    _derive_again_for(layer, always=True)
