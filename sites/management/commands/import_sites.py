"""`manage.py import_sites FILE`: import a mine-site inventory (shapefile, GeoPackage, GeoJSON, CSV) as sites."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from geodata.errors import IngestError
from sites.imports import import_sites
from sites.site_columns import GUESSED_COLUMNS, parse_map_options


class Command(BaseCommand):
    help = (
        "Import a mine-site inventory. Sites from the same source with the same source id are updated, "
        "not duplicated; probable duplicates are listed in the report."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help=f"Which column feeds a site field; fields: {', '.join([*GUESSED_COLUMNS, 'longitude', 'latitude'])}.",
        )
        parser.add_argument("--source", default="", help="Name of the data source (default: the file name).")
        parser.add_argument("--srid", type=int, help="EPSG code of the coordinates when the file has no CRS.")
        parser.add_argument("--encoding", help="Text encoding of a shapefile's or CSV's attributes, e.g. CP1252.")
        parser.add_argument("--layer", dest="layer_name", help="Which layer to import when the file holds several.")
        parser.add_argument("--publish", action="store_true", help="Publish the new sites (default: drafts).")
        parser.add_argument("--user", help="Username recorded in the history as the one who imported.")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} does not exist or is not a file.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"There is no user {options['user']!r}.")
        try:
            report = import_sites(
                path,
                source_name=options["source"],
                column_map=parse_map_options(options["map"]),
                srid=options["srid"],
                encoding=options["encoding"],
                layer_name=options["layer_name"],
                publish=options["publish"],
                user=user,
            )
        except IngestError as error:
            raise CommandError(f"Import failed: {' '.join(error.messages)}") from None
        self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        self.stdout.write(
            self.style.SUCCESS(
                f"{report['created']} sites created, {report['updated']} updated, {report['unchanged']} unchanged, "
                f"{report['rejected']} rows rejected; {len(report['probable_duplicates'])} probable duplicates."
            )
        )
