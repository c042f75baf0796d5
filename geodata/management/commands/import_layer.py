"""`manage.py import_layer FILE`: import a survey file into a new layer, or replace or add to a layer's data."""

import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from access.models import Country
from access.publishing import OPERATOR, publish
from geodata import versions
from geodata.models import ChangeKind, Layer, Theme
from geodata.services import IngestOptions, import_layer_file

_BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Import a zipped shapefile, GeoPackage, GeoJSON, KML or zipped FileGDB as a new survey layer."
    # The project's system checks (URLs, admin, templates) say nothing about an import and cost half a
    # second of start-up on every run; `manage.py check` and the test suite run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--title", help="Layer title (default: the file name).")
        parser.add_argument("--agency", default="")
        parser.add_argument("--country", default="", choices=[""] + list(Country.values), metavar="CODE")
        parser.add_argument("--theme", default=Theme.OTHER, choices=Theme.values)
        parser.add_argument("--srid", type=int, help="EPSG code of the coordinates when the file has no CRS.")
        parser.add_argument("--encoding", help="Text encoding of a shapefile's attributes, e.g. CP1252.")
        parser.add_argument("--layer", dest="layer_name", help="Which layer to import when the file holds several.")
        parser.add_argument("--publish", action="store_true", help="Publish the layer if the import succeeds.")
        change = parser.add_mutually_exclusive_group()
        change.add_argument(
            "--replace", type=int, metavar="LAYER_ID", help="Replace this layer's data with the file's (a new version)."
        )
        change.add_argument(
            "--append", type=int, metavar="LAYER_ID", help="Add the file's features to this layer (same fields)."
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} does not exist or is not a file.")
        metadata = {
            "title": options["title"] or path.stem,
            "agency": options["agency"],
            "country": options["country"],
            "theme": options["theme"],
        }
        ingest_options = IngestOptions(
            srid=options["srid"], encoding=options["encoding"] or "", layer_name=options["layer_name"] or ""
        )
        if options["replace"] or options["append"]:
            self._change(path, options, ingest_options)
            return
        layer, report = import_layer_file(
            path, metadata=metadata, options=ingest_options, progress=self._progress_printer()
        )
        self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        if layer is None:
            if report.get("needs_crs"):
                raise CommandError(f"{report['message']} Re-run with --srid CODE.")
            must_pick = "dataset" not in report and len(report.get("available_layers", [])) > 1
            raise CommandError(f"Import failed: {report['error']}{' Re-run with --layer NAME.' if must_pick else ''}")
        versions.settle_import(layer)
        if options["publish"]:
            publish(layer, by=OPERATOR)
        self.stdout.write(
            self.style.SUCCESS(
                f"Layer {layer.pk} ({layer.title}): {report['imported']} features imported, "
                f"{report['rejected']} rejected, {report['repaired']} repaired."
            )
        )

    def _change(self, path: Path, options: dict, ingest_options: IngestOptions) -> None:
        """Replace or add to a layer's data; a published layer's new version is published only with --publish."""
        kind = ChangeKind.REPLACE if options["replace"] else ChangeKind.APPEND
        layer = Layer.objects.layers().filter(pk=options["replace"] or options["append"]).first()
        if layer is None:
            raise CommandError(f"There is no layer {options['replace'] or options['append']}.")
        try:
            change, outcome = versions.change_layer_from_path(
                path, layer=layer, by=OPERATOR, kind=kind, options=ingest_options, progress=self._progress_printer()
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(json.dumps(change.report, indent=2, ensure_ascii=False, default=str))
        if outcome == versions.Outcome.FAILED:
            raise CommandError(f"Layer {layer.pk} is unchanged: {versions.why_change_failed(change)}")
        if outcome == versions.Outcome.WAITING and options["publish"]:
            versions.publish_change(layer=layer, by=OPERATOR)
        elif outcome == versions.Outcome.WAITING:
            self.stdout.write(f"Layer {layer.pk} is published: the new version waits for a reviewer to publish it.")
            return
        layer.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                f"Layer {layer.pk} ({layer.title}), version {layer.versions.first().number}: "
                f"{layer.feature_count} features."
            )
        )

    def _progress_printer(self):
        """A redrawn bar on a terminal; one plain line per stage in logs and pipes."""
        is_terminal = sys.stdout.isatty() and self.stdout._out is sys.stdout

        def show(stage: str, percent: int) -> None:
            if is_terminal:
                filled = _BAR_WIDTH * percent // 100
                bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
                self.stdout.write(f"\r[{bar}] {percent:3d}% {stage:<20}", ending="\n" if percent >= 100 else "")
                self.stdout.flush()
            else:
                self.stdout.write(f"{percent:3d}% {stage}")

        return show
