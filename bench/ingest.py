"""Ingest benchmark: our `import_layer` against ogr2ogr on a generated geology shapefile.

Generates a deterministic shapefile in UTM 48N (EPSG:32648) with a latin-1 DBF: by default 50k
polygons of 20-200 vertices, ~3% of them self-intersecting; with `--points`, 1M points. It imports
it with `manage.py import_layer` (which returns once the layer is ready at every zoom, its
generalised copies written) and with `ogr2ogr -t_srs EPSG:4326 -makevalid` (PG_USE_COPY=YES, its
own table in the same database, GiST index built). Both run as subprocesses so both pay for
start-up, and each one's peak resident memory is read from the operating system when it ends.
Each loader runs a few times, interleaved; medians are reported. The last lines are the ratio of
features per second and the peak memories.

    .venv/bin/python bench/ingest.py [--features 50000] [--points] [--repeat 3]

Uses DATABASE_URL or the project-local cluster (MINEREG_PG_PORT), like manage.py; removes the
layers and the table it created.
"""

import argparse
import contextlib
import ctypes
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# A throwaway key when none is set: the benchmark signs nothing that outlives it.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from geodata.models import Layer  # noqa: E402

SEED = 20261128
SOURCE_EPSG = 32648
SELF_INTERSECTING_SHARE = 0.03
OGR_TABLE = "bench_ingest_ogr2ogr"
LAYER_TITLE_PREFIX = "bench-ingest-"
GENERATION_BATCH = 100_000
LITHOLOGIES = ["Granit à biotite", "Grès rouge", "Calcaire récifal", "Basalte", "Schiste ardoisier", "Alluvions"]


def make_polygons(count: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """Star-shaped polygons (valid) in UTM 48N; a share get two vertices swapped so their edges cross."""
    vertex_counts = rng.integers(20, 201, size=count)
    centres = np.column_stack([rng.uniform(200_000, 800_000, count), rng.uniform(1_100_000, 2_500_000, count)])
    radii = rng.uniform(200, 2_000, count)
    starts = np.concatenate([[0], np.cumsum(vertex_counts)[:-1]])
    position = np.arange(int(vertex_counts.sum())) - np.repeat(starts, vertex_counts)
    angles = 2 * np.pi * position / np.repeat(vertex_counts, vertex_counts)
    distance = np.repeat(radii, vertex_counts) * rng.uniform(0.6, 1.0, int(vertex_counts.sum()))
    offsets = np.column_stack([np.cos(angles), np.sin(angles)]) * distance[:, None]
    xy = np.repeat(centres, vertex_counts, axis=0) + offsets
    # Swap a vertex with the one opposite it: the star polygon's edges then cross (a self-intersection).
    twisted = np.flatnonzero(rng.random(count) < SELF_INTERSECTING_SHARE)
    first, opposite = starts[twisted] + 1, starts[twisted] + vertex_counts[twisted] // 2
    xy[first], xy[opposite] = xy[opposite].copy(), xy[first].copy()
    # Close every ring: repeat each ring's first vertex after its last one.
    closed = np.insert(xy, np.cumsum(vertex_counts), xy[starts], axis=0)
    ring_index = np.repeat(np.arange(count), vertex_counts + 1)
    rings = shapely.linearrings(closed, indices=ring_index)
    return shapely.polygons(rings), len(twisted)


def make_points(count: int, rng: np.random.Generator) -> np.ndarray:
    """Points in UTM 48N, spread like the polygons' centres."""
    return shapely.points(rng.uniform(200_000, 800_000, count), rng.uniform(1_100_000, 2_500_000, count))


def write_shapefile(directory: Path, count: int, *, points: bool = False) -> tuple[Path, int]:
    """A zipped shapefile (latin-1 DBF with a .cpg) and how many polygons self-intersect.

    Written in batches, so that generating a million polygons does not hold them all in memory.
    """
    rng = np.random.default_rng(SEED)
    shp = directory / "geologie_utm48n.shp"
    twisted_total = 0
    for first in range(0, count, GENERATION_BATCH):
        size = min(GENERATION_BATCH, count - first)
        polygons, twisted = (make_points(size, rng), 0) if points else make_polygons(size, rng)
        twisted_total += twisted
        numbers = np.arange(first, first + size)
        fields = {
            "UNIT_ID": (numbers + 1).astype(np.int32),
            "LITHOLOGIE": np.array(LITHOLOGIES, dtype=object)[rng.integers(0, len(LITHOLOGIES), size)],
            "AGE_MA": np.round(rng.uniform(0.1, 540, size), 2),
            "MAP_CODE": np.array([f"Q{n % 97:02d}-{n % 13}" for n in numbers], dtype=object),
            "AREA_KM2": np.round(shapely.area(polygons) / 1e6, 4),
        }
        with _quiet_output():  # GDAL prints "Created N records" straight to the process's stdout
            pyogrio.write_dataframe(
                _frame(polygons, fields), shp, driver="ESRI Shapefile", encoding="latin1", append=first > 0
            )
        del polygons, fields
    archive = directory / "geologie_utm48n.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED, allowZip64=True) as bundle:
        for member in sorted(directory.glob("geologie_utm48n.*")):
            if member != archive:
                bundle.write(member, member.name)
    return archive, twisted_total


@contextlib.contextmanager
def _quiet_output():
    """Silence what GDAL writes to the process's stdout and stderr (e.g. "Created N records")."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    with open(os.devnull, "w") as devnull:
        for fd in saved:
            os.dup2(devnull.fileno(), fd)
        try:
            yield
        finally:
            ctypes.CDLL(None).fflush(None)  # C stdio would otherwise hold it until exit
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)


def _frame(polygons: np.ndarray, fields: dict):
    import geopandas

    return geopandas.GeoDataFrame(fields, geometry=polygons, crs=f"EPSG:{SOURCE_EPSG}")


def timed_process(command: list[str], **options) -> tuple[float, int, str]:
    """Run a command; its wall-clock seconds, peak resident memory in MB and its output.

    The peak is the process's own high-water mark (VmHWM), read while it runs: the operating system's
    figure at exit would include this script's memory, copied into the child before it started.
    """
    started = time.perf_counter()
    peak_kb = 0
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True, **options)
        while process.poll() is None:
            peak_kb = max(peak_kb, _high_water_kb(process.pid))
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        output.seek(0)
        text = output.read()
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{text[-4000:]}")
    return elapsed, peak_kb // 1024, text


def _high_water_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # it has just ended
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def run_ours(archive: Path, run: int) -> tuple[float, int, dict]:
    title = f"{LAYER_TITLE_PREFIX}{os.getpid()}-{run}"
    # A million polygons unpack to about 2 GB: above the default limit for uploads, not for this import.
    environment = {**os.environ, "INGEST_MAX_UNCOMPRESSED_BYTES": str(16 * 1024**3)}
    elapsed, peak_mb, _ = timed_process(
        [sys.executable, "manage.py", "import_layer", str(archive), "--title", title], cwd=ROOT, env=environment
    )
    layer = Layer.objects.get(title=title)
    report = layer.report
    if layer.status != "ready":
        raise SystemExit(f"import_layer ended {layer.status}: {report.get('error')}")
    layer.delete()
    return elapsed, peak_mb, report


def ogr_connection_string() -> str:
    settings = connection.settings_dict
    parts = {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }
    return "PG:" + " ".join(f"{key}='{value}'" for key, value in parts.items() if value)


def run_ogr2ogr(shapefile: Path) -> tuple[float, int]:
    command = [
        "ogr2ogr",
        "-f",
        "PostgreSQL",
        ogr_connection_string(),
        str(shapefile),
        "-nln",
        OGR_TABLE,
        "-overwrite",
        "-t_srs",
        "EPSG:4326",
        "-makevalid",
        "-lco",
        "GEOMETRY_NAME=geom",
        "-lco",
        "SPATIAL_INDEX=GIST",
        "-nlt",
        "GEOMETRY",
    ]
    elapsed, peak_mb, _ = timed_process(command, env={**os.environ, "PG_USE_COPY": "YES"})
    return elapsed, peak_mb


def count_ogr_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {OGR_TABLE}")
        return cursor.fetchone()[0]


def drop_ogr_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {OGR_TABLE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, help="how many (default: 50,000 polygons, 1,000,000 points)")
    parser.add_argument("--points", action="store_true", help="points instead of polygons")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    count = options.features or (1_000_000 if options.points else 50_000)

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as work:
        directory = Path(work)
        archive, twisted = write_shapefile(directory, count, points=options.points)
        shapefile = directory / "geologie_utm48n.shp"
        shapes = "points" if options.points else f"polygons ({twisted} self-intersecting)"
        print(f"{count} {shapes} in EPSG:{SOURCE_EPSG}, latin-1 DBF; {options.repeat} runs each, medians")
        ours, ogr, reports, ours_mb, ogr_mb = [], [], [], [], []
        try:
            for run in range(options.repeat):  # interleaved, so drift in the machine's load hits both
                elapsed, peak_mb, report = run_ours(archive, run)
                ours.append(elapsed)
                ours_mb.append(peak_mb)
                reports.append(report)
                elapsed, peak_mb = run_ogr2ogr(shapefile)
                ogr.append(elapsed)
                ogr_mb.append(peak_mb)
                ogr_rows = count_ogr_rows()
        finally:
            drop_ogr_table()
            Layer.objects.filter(title__startswith=f"{LAYER_TITLE_PREFIX}{os.getpid()}-").delete()

    imported = reports[-1]["imported"]
    ours_s, ogr_s = statistics.median(ours), statistics.median(ogr)
    print(f"{'loader':<28}{'features':>10}{'seconds':>10}{'features/s':>12}")
    print(f"{'ours (import_layer)':<28}{imported:>10}{ours_s:>10.2f}{imported / ours_s:>12,.0f}")
    print(f"{'ogr2ogr -makevalid':<28}{ogr_rows:>10}{ogr_s:>10.2f}{ogr_rows / ogr_s:>12,.0f}")
    print(f"runs, seconds: ours {' '.join(f'{s:.2f}' for s in ours)}; ogr2ogr {' '.join(f'{s:.2f}' for s in ogr)}")
    print(f"ours: {reports[-1]['repaired']} repaired, {reports[-1]['rejected']} rejected")
    timings = [report.get("stage_seconds") for report in reports if report.get("stage_seconds")]
    if timings:
        stages = {stage: statistics.median(t.get(stage, 0) for t in timings) for stage in timings[0]}
        print(
            "ours, median seconds per stage (the preparing stages overlap the loading): "
            + json.dumps({k: round(v, 2) for k, v in stages.items()})
        )
    print(f"ingest ratio (ours/ogr2ogr features per second): {(imported / ours_s) / (ogr_rows / ogr_s):.2f}")
    print(f"ingest peak memory (MB): ours {max(ours_mb)}, ogr2ogr {max(ogr_mb)}")


if __name__ == "__main__":
    main()
