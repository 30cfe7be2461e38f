"""Benchmark: our validation against frictionless-py, a bare pandas.read_csv and the floor.

Synthetic packages use the real schemas, sources and archive, in two variants of metrics.csv:
- repeated: the 12 real rows repeated under new ids (12 distinct quotes, whatever the size);
- distinct: the 12 real rows, then rows that each have their own id, value and quote ("more than
  19,012 strikes on ISIS targets"), each quoting its own sentence of a synthetic archived source of
  ROWS_PER_SOURCE sentences (about 330 KB of text, the length of a long transcript). Every rule
  of the gate applies and holds on these rows, coverage included: they measure the full gate.
In both, one cell in every thousand rows is broken, so that both validators have invalid rows to find.

Each measurement runs in a fresh process (imports done before the clock starts), which reports its
wall and CPU seconds and its peak memory. The kinds of measurement are interleaved, run after run,
and the median of the runs is reported. floor_s is the work any full validation of metrics.csv must
do before its first row rule: hash the bytes, read every cell once (the reader checks UTF-8), parse
every cell to its Table Schema type, and check the ids are unique.
"""
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd

from dp.package import ROOT, atomic_write, dump_json, read_json, refresh_integrity, sha256_bytes
from dp.pandera_schema import leave_out_example_strategies
from dp.tableschema import read_text_frame, schema_of, typed_frame, choose_allocator

SIZES = (10_000, 100_000, 1_000_000)
VARIANTS = ("repeated", "distinct")
KINDS = ("ours", "frictionless", "read_csv", "floor")
RUNS = 3
ROWS_PER_SOURCE = 5_000
# Cells broken in every thousandth row, in turn: a type error, an enum error, a dangling key.
BREAKS = (("value", "n/a"), ("unit", "troops"), ("indicator", "sorties"))
TEMPLATE_ID = "m007"  # more than 19,000 strikes on ISIS targets
SENTENCE = "Coalition aircraft made {quote}."


def synthetic_metrics(rows, variant="repeated"):
    """metrics.csv with `rows` rows, and {source id: its text} for the sources the synthetic rows quote."""
    real = read_text_frame(ROOT / "data" / "metrics.csv")
    if variant == "repeated":
        frame, sources = pd.concat([real] * (rows // len(real) + 1), ignore_index=True).iloc[:rows].copy(), {}
    else:
        frame, sources = _distinct_rows(real, rows)
    frame.loc[len(real):, "id"] = [f"m{i:07d}" for i in range(len(real), rows)]
    for number, index in enumerate(range(len(real) + 500, rows, 1000)):
        column, value = BREAKS[number % len(BREAKS)]
        frame.at[index, column] = value
    return frame, sources


def _distinct_rows(real, rows):
    template = real[real["id"] == TEMPLATE_ID].iloc[0]
    count = max(rows - len(real), 0)
    values = [str(19_000 + i) for i in range(len(real), len(real) + count)]
    synthetic = pd.DataFrame({name: [template[name]] * count for name in real.columns})
    synthetic["value"] = synthetic["lower_bound"] = values
    synthetic["quote"] = [f"more than {int(value):,} strikes on ISIS targets" for value in values]
    synthetic["source_id"] = [f"synthetic-{i // ROWS_PER_SOURCE:04d}" for i in range(count)]
    synthetic["note"] = ""
    sources = {}
    for source_id, quotes in synthetic.groupby("source_id", sort=True)["quote"]:
        sentences = [SENTENCE.format(quote=quote) for quote in quotes]
        sources[source_id] = "\n".join(" ".join(sentences[i:i + 8]) for i in range(0, len(sentences), 8)) + "\n"
    return pd.concat([real, synthetic], ignore_index=True), sources


def build_package(rows, folder, variant="repeated"):
    """A copy of the package in folder whose metrics.csv has `rows` rows; returns its descriptor path."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    for name in ("data", "schemas", "archive"):
        shutil.copytree(ROOT / name, folder / name)
    metrics, texts = synthetic_metrics(rows, variant)
    metrics.to_csv(folder / "data" / "metrics.csv", index=False, lineterminator="\n")
    if texts:
        sources = read_text_frame(ROOT / "data" / "sources.csv")
        added = []
        for source_id, text in texts.items():
            data = text.encode("utf-8")
            path = f"archive/{source_id}.txt"
            (folder / path).write_bytes(data)
            added.append(sources.iloc[0].to_dict() | {"id": source_id, "title": f"Synthetic strike report {source_id}",
                                                      "path": path, "sha256": sha256_bytes(data), "bytes": str(len(data))})
        pd.concat([sources, pd.DataFrame(added)], ignore_index=True).to_csv(folder / "data" / "sources.csv", index=False, lineterminator="\n")
    descriptor = refresh_integrity(read_json(ROOT / "datapackage.json"), folder)
    descriptor_path = folder / "datapackage.json"
    atomic_write(descriptor_path, dump_json(descriptor))
    return descriptor_path


def _clock():
    # Every thread of this process, and every child it forked once the child has ended (dp.forked).
    usages = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return time.perf_counter(), sum(usage.ru_utime + usage.ru_stime for usage in usages)


class PeakMemory:
    """The most memory this process and its forked children held at once, in MB, sampled while in the block.

    Each sample is the sum of their proportional set sizes (Pss in /proc/PID/smaps_rollup), which
    splits a page that a child still shares with this process between the two, so that it is counted
    once. Where /proc has no such file, the peak stays 0.
    """

    def __init__(self, every=0.1):
        self.every, self.peak_mb = every, 0.0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._sampler.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._sampler.join()
        return False

    def _sample(self):
        while True:
            pids = [os.getpid(), *_children()]
            self.peak_mb = max(self.peak_mb, sum(map(_pss_kb, pids)) / 1024)
            if self._stop.wait(self.every):
                return


def _children():
    pids = []
    for task in Path("/proc/self/task").glob("*"):
        try:
            pids += (task / "children").read_text().split()
        except OSError:
            pass
    return pids


def _pss_kb(pid):
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def measure(kind, descriptor_path):
    """Do one kind of work on the package in this process; its wall and CPU seconds, peak MB and invalid rows."""
    descriptor_path = Path(descriptor_path)
    metrics = next(r for r in read_json(descriptor_path)["resources"] if r["name"] == "metrics")
    metrics_csv = descriptor_path.parent / metrics["path"]
    if kind == "ours":
        from dp.validate import validate_package
        work = lambda: validate_package(descriptor_path)  # noqa: E731
        invalid = lambda problems: {p.row for p in problems if p.resource == "metrics" and p.row}  # noqa: E731
    elif kind == "frictionless":
        from frictionless import validate
        work = lambda: validate(str(descriptor_path), limit_errors=10**9)  # noqa: E731
        invalid = lambda report: {e.row_number for t in report.tasks if t.name == "metrics"  # noqa: E731
                                  for e in t.errors if getattr(e, "row_number", None)}
    elif kind == "floor":
        choose_allocator()  # as validation does
        schema = schema_of(metrics, descriptor_path.parent)
        work, invalid = lambda: _floor(metrics_csv, schema), lambda _: set()
    else:
        work, invalid = lambda: pd.read_csv(metrics_csv), lambda _: set()
    with PeakMemory() as sampled:
        wall, cpu = _clock()
        result = work()
        wall_end, cpu_end = _clock()
    # This process's own peak is exact (the kernel keeps it); the sampled peak adds its children's memory.
    peak_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, sampled.peak_mb)
    return {"wall_s": wall_end - wall, "cpu_s": cpu_end - cpu, "peak_mb": peak_mb, "invalid_rows": sorted(invalid(result))}


def _floor(path, schema):
    """What any full validation of metrics.csv must do before its first row rule: hash the bytes, read
    every cell once (the reader checks UTF-8), parse every cell to its type, check the ids are unique."""
    data = Path(path).read_bytes()
    sha256_bytes(data)
    text = read_text_frame(io.BytesIO(data))
    typed_frame(text, schema)
    return text["id"].is_unique


def _run_command(command):
    """Wall and CPU seconds of a command, run to its end; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, cwd=ROOT, check=True, env=_as_installed())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def _as_installed():
    """This environment, with Python's bytecode cache on (PYTHONDONTWRITEBYTECODE unset), as on a user's
    machine: the libraries come compiled from their wheels, and our modules must not be compiled anew on
    every run either (about 0.06 s of each run on the real package)."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


# Runs our command line on the real package, then prints, as its last line, the modules it imported and
# those it kept out (None in sys.modules), its own dp modules aside, in the order they were imported.
LIST_IMPORTS = """import json, runpy, sys
start = set(sys.modules)
sys.path.insert(0, "scripts")
try:
    runpy.run_path("scripts/validate.py", run_name="__main__")
except SystemExit:
    pass
new = [name for name in sys.modules if name not in start and not name.startswith(("dp.", "__")) and name != "dp"]
print(json.dumps({"imported": [n for n in new if sys.modules[n] is not None], "kept_out": [n for n in new if sys.modules[n] is None]}))
"""
# Keeps out what our command line keeps out, imports what it imports, then ends as it ends
# (dp.process_exit): the objects frozen, so that the collector does not walk them at exit.
IMPORT_EACH = """import gc, importlib, json, sys
modules = json.loads(sys.argv[1])
sys.modules.update(dict.fromkeys(modules["kept_out"]))
for name in modules["imported"]:
    importlib.import_module(name)
gc.freeze()
"""


def modules_the_gate_imports():
    """{"imported": [...], "kept_out": [...]}: the modules our command line imports while it validates the
    real package, and those it keeps out, other than its own."""
    listed = subprocess.run([sys.executable, "-c", LIST_IMPORTS], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(listed.stdout.splitlines()[-1])


def real_package(runs=5):
    """Medians, over interleaved runs, of both validators' command lines on the real package, and of a
    process that only imports what our gate imports: wall seconds, then CPU seconds."""
    commands = {
        "ours": [sys.executable, "scripts/validate.py"],
        "frictionless": [str(Path(sys.executable).parent / "frictionless"), "validate", "datapackage.json"],
        "imports_only": [sys.executable, "-c", IMPORT_EACH, json.dumps(modules_the_gate_imports())],
    }
    for command in commands.values():  # untimed: writes our modules' bytecode cache, as a first run would
        _run_command(command)
    samples = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(_run_command(command))
    result = {}
    for name, values in samples.items():
        result[f"{name}_s"] = statistics.median(wall for wall, _ in values)
        result[f"{name}_cpu_s"] = statistics.median(cpu for _, cpu in values)
    return result | {"ours_over_frictionless": result["ours_s"] / result["frictionless_s"],
                     "ours_over_imports_only": result["ours_s"] / result["imports_only_s"]}


def in_child(*args):
    """Run `python -m dp.bench ARGS` in a fresh process and return what it prints, as JSON."""
    env = dict(_as_installed(), PYTHONPATH=str(ROOT / "scripts"))
    result = subprocess.run([sys.executable, "-m", "dp.bench", *map(str, args)],
                            capture_output=True, text=True, env=env, check=True)
    return json.loads(result.stdout)


COLUMNS = (  # key, heading, width, decimals (None: printed as text)
    ("rows", "rows", 9, None), ("variant", "variant", 9, None), ("ours_s", "ours_s", 8, 2), ("ours_cpu_s", "ours_cpu_s", 10, 2),
    ("floor_s", "floor_s", 8, 2), ("over_floor", "over_floor", 10, 2), ("read_csv_s", "read_csv_s", 10, 2),
    ("over_read_csv", "over_read_csv", 13, 2), ("frictionless_s", "frictionless_s", 14, 2),
    ("speedup_vs_frictionless", "speedup", 8, 1), ("peak_mb", "peak_mb", 8, 0), ("ours_spread", "spread", 7, 2),
    ("same_verdict", "same_verdict", 12, None), ("invalid_rows", "invalid_rows", 12, None),
)
SUMMARY = ("rows", "variant", "ours_s", "ours_cpu_s", "frictionless_s", "read_csv_s", "floor_s",
           "speedup_vs_frictionless", "over_read_csv", "over_floor", "peak_mb", "ours_spread", "same_verdict")


def _cell(value, width, decimals):
    return f"{str(value):>{width}}" if decimals is None else f"{value:>{width}.{decimals}f}"


def summarize(rows, variant, samples):
    """One table row from the runs of each kind: medians of wall and CPU seconds; spread is
    (slowest - fastest) / median of our wall seconds; the verdicts agree in every run."""
    wall = {kind: statistics.median(s["wall_s"] for s in runs) for kind, runs in samples.items()}
    ours = [s["wall_s"] for s in samples["ours"]]
    verdicts = {json.dumps(s["invalid_rows"]) for kind in ("ours", "frictionless") for s in samples[kind]}
    return {
        "rows": rows, "variant": variant, "ours_s": wall["ours"],
        "ours_cpu_s": statistics.median(s["cpu_s"] for s in samples["ours"]),
        "floor_s": wall["floor"], "over_floor": wall["ours"] / wall["floor"],
        "read_csv_s": wall["read_csv"], "over_read_csv": wall["ours"] / wall["read_csv"],
        "frictionless_s": wall["frictionless"], "speedup_vs_frictionless": wall["frictionless"] / wall["ours"],
        "peak_mb": max(s["peak_mb"] for s in samples["ours"]), "ours_spread": (max(ours) - min(ours)) / wall["ours"],
        "same_verdict": len(verdicts) == 1, "invalid_rows": len(samples["frictionless"][0]["invalid_rows"]),
    }


def run(sizes=SIZES, workdir=ROOT / "bench-out", runs=RUNS, variants=VARIANTS):
    """Measure every size and variant, the kinds of work interleaved run after run; print a table,
    then a summary line for each variant of the largest size. Returns the table's rows."""
    print(" ".join(f"{heading:>{width}}" for _, heading, width, _ in COLUMNS), flush=True)
    table = []
    for rows in sizes:
        # Built in a child too: a parent process grown by building slowed every measurement here.
        paths = {variant: Path(in_child("build", rows, Path(workdir) / f"{variant}-{rows}", variant)) for variant in variants}
        samples = {variant: {kind: [] for kind in KINDS} for variant in variants}
        for _ in range(runs):
            for variant in variants:
                for kind in KINDS:
                    samples[variant][kind].append(in_child(kind, paths[variant]))
        for variant in variants:
            table.append(summarize(rows, variant, samples[variant]))
            print(" ".join(_cell(table[-1][key], width, decimals) for key, _, width, decimals in COLUMNS), flush=True)
            shutil.rmtree(paths[variant].parent)
    for row in table[-len(variants):]:
        print(" ".join(f"{key}={row[key]:.2f}" if isinstance(row[key], float) else f"{key}={row[key]}" for key in SUMMARY))
    return table


if __name__ == "__main__":
    if sys.argv[1] == "build":
        print(json.dumps(str(build_package(int(sys.argv[2]), sys.argv[3], sys.argv[4]))))
    else:
        leave_out_example_strategies()  # as our command line does
        print(json.dumps(measure(sys.argv[1], sys.argv[2])))
