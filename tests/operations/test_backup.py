"""Backup and restore: a dated archive of the database and the media files, put back after a wipe."""

import json
import os
import subprocess
import sys
import tarfile
from urllib.parse import quote

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from geodata.models import Layer
from tests.conftest import make_site
from tests.servers import BASE_DIR

pytestmark = pytest.mark.django_db(transaction=True)


def run_as_admin(*statements: str) -> None:
    db = connection.settings_dict
    link = psycopg2.connect(
        dbname="postgres", user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"]
    )
    link.autocommit = True
    try:
        with link.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        link.close()


@pytest.fixture
def dedicated_database():
    """A copy of the test database (its schema and the records made here), dropped afterwards."""
    source, name = connection.settings_dict["NAME"], connection.settings_dict["NAME"] + "_backup"
    connection.close()
    run_as_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    yield name
    run_as_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_backup(database: str, media_root, *args) -> subprocess.CompletedProcess:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "backup-test",
        "DATABASE_URL": f"postgis://{quote(db['USER'])}:{quote(db['PASSWORD'])}@/{database}"
        f"?host={db['HOST']}&port={db['PORT']}",
        "MEDIA_ROOT": str(media_root),
    }
    return subprocess.run(
        [sys.executable, "-m", "config.backup", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )


def figures(database: str) -> dict:
    db = connection.settings_dict
    with psycopg2.connect(dbname=database, user=db["USER"], host=db["HOST"], port=db["PORT"]) as link:
        with link.cursor() as cursor:
            result = {}
            for table in ("sites_minesite", "geodata_layer", "geodata_feature", "remediation_evidence"):
                cursor.execute(f"SELECT count(*) FROM {table}")
                result[table] = cursor.fetchone()[0]
    link.close()
    return result


@pytest.fixture
def records(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_site(name="Backed-up mine")
    make_site(name="Another mine")
    layer = Layer.objects.create(title="Backed-up layer", country="ID")
    layer.upload_file.save("points.geojson", ContentFile(b'{"type": "FeatureCollection", "features": []}'))
    (settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "photo.jpg").write_bytes(b"\xff\xd8 not really a photo")
    return settings.MEDIA_ROOT


def test_backup_wipe_restore_gives_back_the_records_and_the_files(records, dedicated_database, tmp_path):
    media = records
    before_files = {path.relative_to(media): path.read_bytes() for path in media.rglob("*") if path.is_file()}
    before = figures(dedicated_database)
    assert before["sites_minesite"] == 2 and before["geodata_layer"] == 1

    made = run_backup(dedicated_database, media, "create", "--into", str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    archive = tmp_path / "backups" / made.stdout.splitlines()[0].rsplit("/", 1)[1]
    assert archive.name.startswith("minereg-") and archive.name.endswith(".tar.gz")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert {"database.dump", "media/evidence/photo.jpg"} <= set(tar.getnames())
    assert manifest["counts"] == {"sites": 2, "layers": 1, "features": 0, "evidence": 0, "media_files": 2}

    # Wipe: every row of the registry's tables, and the media files.
    db = connection.settings_dict
    with psycopg2.connect(dbname=dedicated_database, user=db["USER"], host=db["HOST"], port=db["PORT"]) as link:
        with link.cursor() as cursor:
            cursor.execute("TRUNCATE sites_minesite, geodata_layer CASCADE")
    link.close()
    for path in list(media.rglob("*"))[::-1]:
        path.unlink() if path.is_file() else path.rmdir()
    assert figures(dedicated_database)["sites_minesite"] == 0

    restored = run_backup(dedicated_database, media, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert figures(dedicated_database) == before
    assert {path.relative_to(media): path.read_bytes() for path in media.rglob("*") if path.is_file()} == before_files


def test_restore_refuses_a_missing_file(tmp_path):
    result = run_backup("nothing", tmp_path, "restore", str(tmp_path / "no-such.tar.gz"))
    assert result.returncode != 0
    assert "No such backup" in result.stderr


def test_make_restore_refuses_without_a_file():
    result = subprocess.run(["make", "-s", "restore", "FILE="], cwd=BASE_DIR, capture_output=True, text=True)
    assert result.returncode != 0
    assert "make restore FILE=" in result.stdout + result.stderr
