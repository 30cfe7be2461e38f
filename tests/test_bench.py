"""The benchmark runs end to end at a small size, and both validators find the same invalid rows."""
from dp.bench import run


def test_bench_prints_the_summary_line_with_the_same_verdicts(tmp_path, capsys):
    row = run([2_500], workdir=tmp_path)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    keys = [item.split("=")[0] for item in last.split()]
    assert keys[:7] == ["rows", "ours_s", "frictionless_s", "read_csv_s", "speedup_vs_frictionless", "over_read_csv", "peak_mb"]
    assert row["rows"] == 2_500 and row["invalid_rows"] == 2 and row["same_verdict"] is True
