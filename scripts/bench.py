"""Benchmark our validation against frictionless-py and the pandas.read_csv floor.

Usage: python scripts/bench.py [ROWS ...]   (default: 10000 100000 1000000 metric rows)
The last line sums up the largest size:
rows=… ours_s=… frictionless_s=… read_csv_s=… speedup_vs_frictionless=… over_read_csv=… peak_mb=…
"""
import sys

from dp.bench import SIZES, run

if __name__ == "__main__":
    run([int(arg) for arg in sys.argv[1:]] or SIZES)
