from django.apps import AppConfig


class GeodataConfig(AppConfig):
    name = "geodata"
    verbose_name = "Survey layers"

    def ready(self):
        from geodata import signals  # noqa: F401  (removes a deleted layer's stored upload)
