"""The benchmark runs end to end at a small size, in both variants, and both validators find the
same invalid rows; the coverage and quote checks grow linearly with distinct quotes."""
from dp.bench import SUMMARY, VARIANTS, run


def test_bench_prints_both_variants_and_their_summary_lines_with_the_same_verdicts(tmp_path, capsys):
    table = run([2_500], workdir=tmp_path, runs=1)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [[item.split("=")[0] for item in line.split()] for line in lines[-2:]] == [list(SUMMARY)] * 2
    assert [(row["rows"], row["variant"], row["invalid_rows"], row["same_verdict"]) for row in table] == \
        [(2_500, variant, 2, True) for variant in VARIANTS]
    assert not list(tmp_path.iterdir())  # each synthetic package is removed once measured
