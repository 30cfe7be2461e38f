"""Benchmark our validation against frictionless-py and the pandas.read_csv floor.

Usage: python scripts/bench.py [ROWS ...]   (default: 10000 100000 1000000 metric rows)
First line: the real package, our command line against `frictionless validate datapackage.json`.
The last line sums up the largest size:
rows=… ours_s=… frictionless_s=… read_csv_s=… speedup_vs_frictionless=… over_read_csv=… peak_mb=…
"""
import sys

from dp.bench import SIZES, real_package, run

if __name__ == "__main__":
    real = real_package()
    print("real package, median of 5 runs: " + " ".join(f"{key}={value:.2f}" for key, value in real.items()))
    run([int(arg) for arg in sys.argv[1:]] or SIZES)
