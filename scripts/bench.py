"""Benchmark our validation against frictionless-py, a bare pandas.read_csv and the floor.

Usage: python scripts/bench.py [ROWS ...]   (default: 10000 100000 1000000 metric rows)
First line: the real package, our command line against `frictionless validate datapackage.json`
and against a process that only imports what our gate needs (medians of 5 interleaved runs).
Then a table of both synthetic variants (repeated, distinct) at each size, medians of 3
interleaved runs, and for the largest size one summary line per variant:
rows=… variant=… ours_s=… ours_cpu_s=… frictionless_s=… read_csv_s=… floor_s=… speedup_vs_frictionless=… …
"""
import sys

from dp.bench import SIZES, real_package, run

if __name__ == "__main__":
    real = real_package()
    print("real package, median of 5 interleaved runs: " + " ".join(f"{key}={value:.2f}" for key, value in real.items()), flush=True)
    run([int(arg) for arg in sys.argv[1:]] or SIZES)
