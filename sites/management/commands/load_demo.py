"""manage.py load_demo: load or refresh the Southeast Asia demo data (idempotent)."""

from django.core.management.base import BaseCommand

from sites.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo: 575 GEM coal mines as sites, ASEAN country outlines, active faults and mining areas."

    def handle(self, *args, **options):
        report = load_demo()
        self.stdout.write(
            f"Sites: {report.sites_created} created, {report.sites_updated} updated, "
            f"{report.sites_unchanged} unchanged."
        )
        self.stdout.write("Sites per country: " + ", ".join(f"{c} {n}" for c, n in report.sites_by_country.items()))
        if report.layers_loaded:
            self.stdout.write("Reference layers loaded: " + "; ".join(report.layers_loaded))
        if report.layers_unchanged:
            self.stdout.write("Reference layers unchanged: " + "; ".join(report.layers_unchanged))
        flags = ", ".join(f"{flag} {count}" for flag, count in report.quality_flags.items())
        self.stdout.write(f"Data-quality flags (sites): {flags}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
