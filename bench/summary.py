"""Run every benchmark and rewrite the summary table at the top of bench/README.md.

`make bench` runs this. Each benchmark ends with its figures as plain lines; this script runs them
one after the other (each needs the machine to itself), keeps each one's whole output under
bench/results/ (not committed), reads the figures and writes one table: figure, target, met or not.
A benchmark that fails leaves its rows as "not measured" and the others still run. For the load
run it serves the project's database (with the demo, as `make run` has it) with gunicorn on
LOAD_PORT, as `make run` would, and stops it afterwards.

    .venv/bin/python bench/summary.py [--only ingest,maps,...] [--from-results]

`--from-results` rebuilds the table from the outputs kept by an earlier run, without running anything.
"""

import argparse
import contextlib
import datetime
import os
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
README = ROOT / "bench" / "README.md"
START, END = "<!-- summary:start -->", "<!-- summary:end -->"
PYTHON = str(ROOT / ".venv" / "bin" / "python")

# name -> command; every command prints the plain lines the figures below read.
RUNS = {
    "ingest": [PYTHON, "bench/ingest.py"],
    "ingest-points": [PYTHON, "bench/ingest.py", "--points", "--repeat", "1"],
    "ingest-250k": [PYTHON, "bench/ingest.py", "--features", "250000", "--repeat", "1"],
    "ingest-1m": [PYTHON, "bench/ingest.py", "--features", "1000000", "--repeat", "1"],
    "maps": [PYTHON, "bench/maps.py"],
    "lists": [PYTHON, "bench/lists.py"],
    "load": [str(ROOT / ".venv-bench" / "bin" / "python"), "bench/load.py", "--host", "http://127.0.0.1:{port}"],
}
LOAD_PORT = int(os.environ.get("LOAD_PORT", 8093))
NUMBER = r"(-?[\d.]+)"


@dataclass(frozen=True)
class Figure:
    label: str
    run: str
    pattern: str  # its first group is the figure
    target: str
    met: object  # value -> bool (or value, figures -> bool)
    unit: str = ""


def _growth(figures: dict) -> float | None:
    big, small = figures.get(("ingest-1m", "memory")), figures.get(("ingest-250k", "memory"))
    return round(float(big) / float(small), 2) if big and small else None


FIGURES = [
    Figure(
        "ingest ratio, 50k polygons (ours / ogr2ogr features per second)",
        "ingest",
        rf"ingest ratio \(ours/ogr2ogr features per second\): {NUMBER}",
        "≥ 1.2",
        lambda value: value >= 1.2,
    ),
    Figure(
        "ingest ratio, 1M points",
        "ingest-points",
        rf"ingest ratio \(ours/ogr2ogr features per second\): {NUMBER}",
        "≥ 1.0",
        lambda value: value >= 1.0,
    ),
    Figure(
        "ingest peak memory, 1M polygons",
        "ingest-1m",
        rf"ingest peak memory \(MB\): ours {NUMBER}",
        "≤ 1,500 MB",
        lambda value: value <= 1500,
        " MB",
    ),
    Figure(
        "ingest peak memory, 250k polygons",
        "ingest-250k",
        rf"ingest peak memory \(MB\): ours {NUMBER}",
        "(reference)",
        None,
        " MB",
    ),
    Figure(
        "api ratio (REST page of 1,000 sites / the same page in SQL)",
        "maps",
        rf"api ratio \(REST page of 1000 / same page in SQL\): {NUMBER}",
        "≤ 3",
        lambda value: value <= 3,
    ),
    Figure(
        "Django's own time per tile (median)",
        "maps",
        rf"django own ms per tile \(median\): {NUMBER}",
        "≤ 0.5 ms",
        lambda value: value <= 0.5,
        " ms",
    ),
    Figure(
        "slowest sites page at 1M sites",
        "lists",
        rf"slowest sites page at 1M \(ms\): {NUMBER}",
        "< 100 ms",
        lambda value: value < 100,
        " ms",
    ),
    Figure(
        "load: errors while browsing", "load", rf"load: \d+ requests, {NUMBER} errors", "0", lambda value: value == 0
    ),
    Figure(
        "load: saturation (p95 ≤ 300 ms, no errors)",
        "load",
        rf"saturation {NUMBER} requests/s",
        "≥ 100 requests/s",
        lambda value: value >= 100,
        " requests/s",
    ),
]


def run_all(names: list[str]) -> None:
    RESULTS.mkdir(exist_ok=True)
    environment = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only")}
    for name in names:
        command = [part.format(port=LOAD_PORT) for part in RUNS[name]]
        print(f"==> {name}: {' '.join(command[1:])}", flush=True)
        with open(RESULTS / f"{name}.txt", "w") as output, _server_for(name, environment, output):
            result = subprocess.run(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, env=environment)
        if result.returncode != 0:
            print(f"    {name} failed (exit {result.returncode}); see bench/results/{name}.txt", flush=True)


@contextlib.contextmanager
def _server_for(name: str, environment: dict, output):
    """For the load run, gunicorn as `make run` starts it (the API's per-address throttle lifted: every
    simulated visitor comes from this machine)."""
    if name != "load":
        yield
        return
    server_environment = {**environment, "API_ANON_THROTTLE_RATE": "1000000/minute"}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "-c", "config/gunicorn.conf.py"]
        + ["--bind", f"127.0.0.1:{LOAD_PORT}"],
        cwd=ROOT,
        env=server_environment,
        stdout=subprocess.DEVNULL,
        stderr=output,
    )
    try:
        _wait_until_serving(f"http://127.0.0.1:{LOAD_PORT}/healthz")
        yield
    finally:
        server.terminate()
        server.wait(timeout=60)


def _wait_until_serving(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def read_figures() -> dict:
    """Each figure as its benchmark printed it, by (run, figure)."""
    figures: dict = {}
    for figure in FIGURES:
        path = RESULTS / f"{figure.run}.txt"
        found = re.findall(figure.pattern, path.read_text()) if path.exists() else []
        if found:
            figures[(figure.run, "memory" if "memory" in figure.label else figure.label)] = found[-1]
    return figures


def table(figures: dict) -> str:
    rows = ["| figure | today | target | met |", "|---|---:|---|---|"]
    for figure in FIGURES:
        printed = figures.get((figure.run, "memory" if "memory" in figure.label else figure.label))
        shown = "not measured" if printed is None else f"{printed}{figure.unit}"  # as the benchmark printed it
        met = "" if printed is None or figure.met is None else ("yes" if figure.met(float(printed)) else "**no**")
        rows.append(f"| {figure.label} | {shown} | {figure.target} | {met} |")
    growth = _growth(figures)
    met = "" if growth is None else ("yes" if growth <= 1.3 else "**no**")
    rows.append(f"| ingest peak memory, 1M / 250k polygons | {growth or 'not measured'} | ≤ 1.3 | {met} |")
    return "\n".join(rows)


def rewrite_readme(text_of_table: str) -> None:
    today = datetime.date.today().isoformat()
    block = (
        f"{START}\n**Summary** (written by `make bench` on {today}; each figure with its reference from the same "
        f"run; whole outputs in bench/results/):\n\n{text_of_table}\n{END}"
    )
    readme = README.read_text()
    if START in readme:
        readme = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, readme, flags=re.S)
    else:
        title, _, rest = readme.partition("\n")
        readme = f"{title}\n\n{block}\n{rest}"
    README.write_text(readme)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated names: " + ", ".join(RUNS))
    parser.add_argument("--from-results", action="store_true")
    options = parser.parse_args()
    names = options.only.split(",") if options.only else list(RUNS)
    unknown = set(names) - set(RUNS)
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    if not options.from_results:
        run_all(names)
    text = table(read_figures())
    rewrite_readme(text)
    print(text)


if __name__ == "__main__":
    main()
