"""Back up and restore the registry: the database (pg_dump -Fc) and the media files, in one dated archive.

    python -m config.backup create [--into backups/]     # prints the archive's path
    python -m config.backup restore FILE

`make backup` and `make restore FILE=…` run these with the checkout's settings: the project-local
cluster, or DATABASE_URL when set. The archive holds `database.dump`, `media/` and
`manifest.json` (when, the counts of sites, layers, features, evidence and media files); a
restore replaces the database's contents and the media files, then checks the counts against
the manifest and exits non-zero if they differ.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _pg_environment() -> dict:
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGUSER": db["USER"], "PGOPTIONS": "-c client_min_messages=warning"}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    return env


def media_root() -> Path:
    from django.conf import settings

    return Path(settings.MEDIA_ROOT)


def media_files(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def counts() -> dict:
    """What a backup holds, counted: the manifest's figures and what a restore must give back."""
    from django.db import connection

    from geodata.models import Feature, Layer
    from remediation.models import Evidence
    from sites.models import MineSite

    figures = {
        "sites": MineSite.objects.count(),
        "layers": Layer.objects.count(),
        "features": Feature.objects.count(),
        "evidence": Evidence.objects.count(),
        "media_files": len(media_files(media_root())),
    }
    connection.close()
    return figures


def create(into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = into / f"minereg-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="minereg-backup-") as work:
        dump = Path(work) / "database.dump"
        subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", dump], env=_pg_environment(), check=True)
        manifest = {"created_at": stamp, "database": "database.dump", "counts": counts()}
        (Path(work) / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(work) / "manifest.json", arcname="manifest.json")
            tar.add(dump, arcname="database.dump")
            root = media_root()
            tar.add(root if root.exists() else work, arcname="media", recursive=root.exists())
        partial.rename(archive)
    return archive


def _extract_safely(tar: tarfile.TarFile, into: Path) -> None:
    """Only plain files and folders, only inside `into` (an archive is not trusted to stay in its folder)."""
    members = []
    for member in tar.getmembers():
        target = (into / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not target.is_relative_to(into.resolve()):
            raise SystemExit(f"Refusing the archive: {member.name!r} is not a plain file inside it")
        members.append(member)
    tar.extractall(into, members=members)  # noqa: S202 (checked above)


def restore(archive: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="minereg-restore-") as work, tarfile.open(archive) as tar:
        _extract_safely(tar, Path(work))
        manifest = json.loads((Path(work) / "manifest.json").read_text())
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "-d",
                _pg_environment()["PGDATABASE"],
                Path(work) / "database.dump",
            ],
            env=_pg_environment(),
            check=True,
        )
        root = media_root()
        root.mkdir(parents=True, exist_ok=True)
        for child in root.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        shutil.copytree(Path(work) / "media", root, dirs_exist_ok=True)
    restored = counts()
    if restored != manifest["counts"]:
        raise SystemExit(f"Restored, but the counts differ: manifest {manifest['counts']}, now {restored}")
    return restored


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m config.backup", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("create", help="write a dated archive of the database and the media files")
    make.add_argument("--into", type=Path, default=Path("backups"))
    back = commands.add_parser("restore", help="replace the database and the media files with an archive's")
    back.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    _setup_django()
    if args.command == "create":
        archive = create(args.into)
        print(archive)
        print(archive.with_suffix("").with_suffix("").name, json.dumps(counts()))
    else:
        if not args.file.is_file():
            raise SystemExit(f"No such backup: {args.file}")
        print("restored:", json.dumps(restore(args.file)))


if __name__ == "__main__":
    sys.exit(main())
