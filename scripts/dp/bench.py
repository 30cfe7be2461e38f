"""Benchmark: our validation against frictionless-py and the pandas.read_csv floor.

Synthetic packages use the real schemas, sources and archive; metrics.csv is the real rows
repeated under new ids, with one bad cell in every thousand rows so that both validators have
invalid rows to find. Each measurement runs in a fresh process (imports done before the clock
starts), which also reports its own peak memory. floor_s times the work any full validation of
metrics.csv must do before its first row rule: hash the bytes, check they are UTF-8, read every
cell, and check the ids are unique.
"""
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from dp.package import ROOT, atomic_write, dump_json, read_json, refresh_integrity
from dp.tableschema import read_text_frame, use_system_allocator

SIZES = (10_000, 100_000, 1_000_000)
# Cells broken in every thousandth row, in turn: a type error, an enum error, a dangling key.
BREAKS = (("value", "n/a"), ("unit", "troops"), ("indicator", "sorties"))


def synthetic_metrics(rows):
    real = read_text_frame(ROOT / "data" / "metrics.csv")
    frame = pd.concat([real] * (rows // len(real) + 1), ignore_index=True).iloc[:rows].copy()
    frame.loc[len(real):, "id"] = [f"m{i:07d}" for i in range(len(real), rows)]
    for number, index in enumerate(range(len(real) + 500, rows, 1000)):
        column, value = BREAKS[number % len(BREAKS)]
        frame.at[index, column] = value
    return frame


def build_package(rows, folder):
    """A copy of the package in folder whose metrics.csv has `rows` rows; returns its descriptor path."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    for name in ("data", "schemas", "archive"):
        shutil.copytree(ROOT / name, folder / name)
    synthetic_metrics(rows).to_csv(folder / "data" / "metrics.csv", index=False, lineterminator="\n")
    descriptor = refresh_integrity(read_json(ROOT / "datapackage.json"), folder)
    descriptor_path = folder / "datapackage.json"
    atomic_write(descriptor_path, dump_json(descriptor))
    return descriptor_path


def _peak_mb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind, descriptor_path):
    """Time one kind of work on the package, in this process; returns seconds, peak MB and invalid rows."""
    metrics_csv = Path(descriptor_path).parent / "data" / "metrics.csv"
    if kind == "ours":
        from dp.validate import validate_package
        start = time.perf_counter()
        problems = validate_package(descriptor_path)
        seconds = time.perf_counter() - start
        invalid = sorted({p.row for p in problems if p.resource == "metrics" and p.row})
    elif kind == "frictionless":
        from frictionless import validate
        start = time.perf_counter()
        report = validate(str(descriptor_path), limit_errors=10**9)
        seconds = time.perf_counter() - start
        invalid = sorted({e.row_number for t in report.tasks if t.name == "metrics" for e in t.errors
                          if getattr(e, "row_number", None)})
    elif kind == "floor":
        seconds, invalid = _floor(metrics_csv), []
    else:
        start = time.perf_counter()
        pd.read_csv(metrics_csv)
        seconds = time.perf_counter() - start
        invalid = []
    return {"seconds": seconds, "peak_mb": _peak_mb(), "invalid_rows": invalid}


def _floor(path):
    """Seconds for what any full validation of metrics.csv must do before its first row rule:
    read and hash the bytes, check they are UTF-8, read every cell, and hash the ids for uniqueness."""
    from dp.package import sha256_bytes
    use_system_allocator()
    start = time.perf_counter()
    data = Path(path).read_bytes()
    sha256_bytes(data)
    data.decode("utf-8")
    read_text_frame(io.BytesIO(data))["id"].is_unique
    return time.perf_counter() - start


def _wall_seconds(command):
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, cwd=ROOT, check=False)
    return time.perf_counter() - start


def real_package(runs=5):
    """Median wall time, over interleaved runs, of both validators' command lines on the real package,
    and of a process that only imports the two libraries our checks cannot do without."""
    commands = {
        "ours_s": [sys.executable, "scripts/validate.py"],
        "frictionless_s": [str(Path(sys.executable).parent / "frictionless"), "validate", "datapackage.json"],
        "imports_only_s": [sys.executable, "-c", "import frictionless, pandera.pandas"],
    }
    times = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(_wall_seconds(command))
    medians = {name: statistics.median(values) for name, values in times.items()}
    return medians | {"ratio": medians["ours_s"] / medians["frictionless_s"]}


def in_child(*args):
    """Run `python -m dp.bench ARGS` in a fresh process and return what it prints, as JSON."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"))
    result = subprocess.run([sys.executable, "-m", "dp.bench", *map(str, args)],
                            capture_output=True, text=True, env=env, check=True)
    return json.loads(result.stdout)


COLUMNS = (  # key, heading, width, decimals (None: printed as text)
    ("rows", "rows", 9, None), ("ours_s", "ours_s", 8, 2), ("frictionless_s", "frictionless_s", 15, 2),
    ("read_csv_s", "read_csv_s", 11, 2), ("speedup_vs_frictionless", "speedup", 8, 1), ("over_read_csv", "over_read_csv", 14, 2),
    ("peak_mb", "peak_mb", 8, 0), ("same_verdict", "same_verdict", 12, None), ("invalid_rows", "invalid_rows", 12, None),
    ("floor_s", "floor_s", 8, 2),
)


def _cell(value, width, decimals):
    return f"{str(value):>{width}}" if decimals is None else f"{value:>{width}.{decimals}f}"


def run(sizes=SIZES, workdir=ROOT / "bench-out"):
    """Measure every size; print a table and the summary line for the largest."""
    print(" ".join(f"{heading:>{width}}" for _, heading, width, _ in COLUMNS))
    for rows in sizes:
        # Built in a child too: a parent process grown by building slowed every measurement here.
        path = Path(in_child("build", rows, Path(workdir) / str(rows)))
        ours, theirs, bare_read, floor = (in_child(kind, path) for kind in ("ours", "frictionless", "read_csv", "floor"))
        row = {
            "rows": rows, "ours_s": ours["seconds"], "frictionless_s": theirs["seconds"], "read_csv_s": bare_read["seconds"],
            "speedup_vs_frictionless": theirs["seconds"] / ours["seconds"], "over_read_csv": ours["seconds"] / bare_read["seconds"],
            "peak_mb": ours["peak_mb"], "same_verdict": ours["invalid_rows"] == theirs["invalid_rows"],
            "invalid_rows": len(theirs["invalid_rows"]), "floor_s": floor["seconds"],
        }
        print(" ".join(_cell(row[key], width, decimals) for key, _, width, decimals in COLUMNS))
        shutil.rmtree(path.parent)
    print(" ".join(f"{key}={value:.2f}" if isinstance(value, float) else f"{key}={value}" for key, value in row.items()))
    return row


if __name__ == "__main__":
    if sys.argv[1] == "build":
        print(json.dumps(str(build_package(int(sys.argv[2]), sys.argv[3]))))
    else:
        print(json.dumps(measure(sys.argv[1], sys.argv[2])))
