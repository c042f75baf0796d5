"""QGIS itself, headless, against a live server: the OGC API and the sites' vector tiles at the URLs the
README gives for QGIS, and the sites' GeoPackage download.

PyQGIS lives in Debian's Python (apt packages qgis and python3-qgis, which `make test` installs),
not in the project's virtualenv, so QGIS runs in a subprocess (qgis_layers.py next to this file)
that prints JSON. As with GDAL in tests/geodata/test_ogc_clients.py, it must not run in this
process: its requests would wait on a server thread of this same process. Every run has a timeout.
"""

import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from pyproj import Transformer

from sites.models import MineSite
from tests.geodata.test_ogc_clients import registry  # noqa: F401  (the live server with five published sites)

DEBIAN_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).with_name("qgis_layers.py")
README = Path(__file__).resolve().parents[2] / "README.md"
QGIS_TIMEOUT_S = 180
# The URLs the README gives for QGIS, after http://<host>.
OGC_PATH = "/ogc"
TILES_PATH = "/tiles/sites/{z}/{x}/{y}.pbf"
TILES_MAX_ZOOM = 22  # beyond z14 the tiles hold single sites, not clusters
GEOPACKAGE_PATH = "/sites/export.gpkg"
# GDAL's warning for a GeoPackage newer than it knows (QGIS 3.22's GDAL 3.6 on a 1.4 file).
PARTIAL_SUPPORT = "may only be partially supported"

TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)


def mercator_box(west: float, south: float, east: float, north: float) -> list[float]:
    return [*TO_MERCATOR.transform(west, south), *TO_MERCATOR.transform(east, north)]


def run_qgis(tmp_path: Path, *layers: dict) -> tuple[dict, str]:
    """Open `layers` in headless QGIS; its JSON results and what it wrote to stderr (GDAL's warnings)."""
    if not Path(DEBIAN_PYTHON).exists() or not Path("/usr/share/qgis").is_dir():
        pytest.fail("QGIS is not installed: `make test` installs it (apt-get install qgis python3-qgis)")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QGIS_PREFIX_PATH": "/usr",
        "XDG_RUNTIME_DIR": str(runtime),
        "NO_PROXY": "*",
        "no_proxy": "*",
    }
    env.pop("PYTHONPATH", None)  # Debian's Python, with its own packages only
    arguments = [DEBIAN_PYTHON, str(SCRIPT), str(tmp_path / "qgis-profile"), json.dumps(list(layers))]
    try:
        done = subprocess.run(arguments, capture_output=True, text=True, timeout=QGIS_TIMEOUT_S, env=env, check=False)
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"QGIS did not finish within {QGIS_TIMEOUT_S} s; stderr: {expired.stderr}")
    if done.returncode != 0:
        pytest.fail(f"QGIS exited with {done.returncode}; stderr:\n{done.stderr[-3000:]}")
    lines = done.stdout.strip().splitlines()
    assert lines, f"QGIS printed nothing; stderr:\n{done.stderr[-3000:]}"
    return json.loads(lines[-1]), done.stderr


def published_sites() -> dict[str, tuple[float, float]]:
    return {site.name: site.location.coords for site in MineSite.objects.published()}


def assert_same_sites(result: dict, expected: dict[str, tuple[float, float]]) -> None:
    assert result["valid"], result
    assert result["feature_count"] == len(expected)
    read = {feature["name"]: (feature["x"], feature["y"]) for feature in result["features"]}
    assert len(result["features"]) == len(read) == len(expected)
    assert read.keys() == expected.keys()
    for name, point in read.items():
        assert point == pytest.approx(expected[name], abs=1e-7)


def test_qgis_reads_every_published_site_from_the_ogc_api_at_the_readmes_url(registry, tmp_path):  # noqa: F811
    url = registry["url"]
    assert url.endswith(OGC_PATH)
    results, _ = run_qgis(tmp_path, {"name": "sites", "uri": f"url='{url}' typename='sites'", "provider": "OAPIF"})
    sites = results["layers"]["sites"]
    assert sites["provider"] == "OAPIF"
    assert_same_sites(sites, published_sites())  # five; the draft site is not public


def test_qgis_draws_the_sites_vector_tiles(registry, tmp_path):  # noqa: F811
    host = registry["url"].removesuffix(OGC_PATH)
    around_sites = mercator_box(99.5, 9.5, 104.5, 11.0)  # the five sites lie at 100-104 E, 10-10.4 N
    open_sea = mercator_box(-35.0, -5.0, -30.0, 0.0)
    tiles = {
        "name": "sites-tiles",
        "uri": f"type=xyz&url={host}{TILES_PATH}&zmax={TILES_MAX_ZOOM}",
        "provider": "vectortile",
        "render": [around_sites, open_sea],
    }
    results, _ = run_qgis(tmp_path, tiles)
    layer = results["layers"]["sites-tiles"]
    assert layer["valid"] and layer["provider"] == "vectortile", layer
    drawn_over_sites, drawn_over_sea = layer["painted_px"]
    assert drawn_over_sites > 0, "QGIS drew nothing where the sites are: it could not read the tiles"
    assert drawn_over_sea == 0


def test_qgis_opens_the_sites_geopackage_download(registry, tmp_path):  # noqa: F811
    host = registry["url"].removesuffix(OGC_PATH)
    path = tmp_path / "sites.gpkg"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{host}{GEOPACKAGE_PATH}", timeout=60) as response, path.open("wb") as file:
        assert response.status == 200
        shutil.copyfileobj(response, file)
    results, stderr = run_qgis(tmp_path, {"name": "download", "uri": str(path), "provider": "ogr"})
    download = results["layers"]["download"]
    assert download["provider"] == "ogr"
    assert_same_sites(download, published_sites())
    assert PARTIAL_SUPPORT not in stderr  # QGIS's GDAL knows the GeoPackage version


def test_the_readme_gives_qgis_the_urls_these_tests_use():
    readme = README.read_text()
    for path in (OGC_PATH, TILES_PATH, GEOPACKAGE_PATH):
        assert f"`http://<host>{path}`" in readme, path
    assert f"max. zoom {TILES_MAX_ZOOM}" in readme
