"""The store for uploads and evidence is chosen from the environment, as the README says for S3."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def storage_in_a_fresh_process(**environment: str) -> str:
    script = (
        "import django; django.setup(); from django.core.files.storage import default_storage as s; "
        "s._setup(); print(type(s._wrapped).__name__, getattr(s._wrapped, 'base_url', ''))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "t", **environment}
    done = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_files_are_kept_on_disk_unless_another_store_is_named():
    assert storage_in_a_fresh_process().startswith("FileSystemStorage")


def test_another_store_and_its_options_come_from_the_environment():
    chosen = storage_in_a_fresh_process(
        MEDIA_STORAGE_BACKEND="django.core.files.storage.InMemoryStorage",
        MEDIA_STORAGE_OPTIONS=json.dumps({"base_url": "https://files.example.org/"}),
    )
    assert chosen == "InMemoryStorage https://files.example.org/"
