from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = "Mine sites"

    def ready(self):
        """Contribute the sites to geodata's engines (tiles, OGC collection); derive admin areas from layers."""
        from geodata import tiles
        from geodata.ogc.collections import register_collection
        from sites import ogc, signals  # noqa: F401 (connects the receivers)
        from sites import tiles as site_tiles

        tiles.register_source(site_tiles.SITES_LAYER, site_tiles.site_tile)
        register_collection(ogc.sites_collection)
