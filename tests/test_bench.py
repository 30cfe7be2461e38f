"""The benchmark runs end to end at a small size, in both variants, and both validators find the
same invalid rows; the coverage and quote checks grow linearly with distinct quotes."""
import json
import time

import forked_scripts
from conftest import ROOT
from dp import bench, provenance
from dp.bench import SUMMARY, VARIANTS, build_package, run
from dp.validate import validate_package


def in_forked_child(*args):
    """bench.in_child, its process forked with the libraries already imported (about 2 s a run less)."""
    done = forked_scripts.run("dp.bench", *args, cwd=ROOT, module=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_bench_prints_both_variants_and_their_summary_lines_with_the_same_verdicts(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(bench, "in_child", in_forked_child)
    table = run([2_500], workdir=tmp_path, runs=1)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [[item.split("=")[0] for item in line.split()] for line in lines[-2:]] == [list(SUMMARY)] * 2
    assert [(row["rows"], row["variant"], row["invalid_rows"], row["same_verdict"]) for row in table] == \
        [(2_500, variant, 2, True) for variant in VARIANTS]
    assert not list(tmp_path.iterdir())  # each synthetic package is removed once measured


def quote_check_inputs(descriptor_path, monkeypatch):
    """The context and source texts that validating a package hands the verbatim-quote and coverage checks."""
    seen = {}
    start_search = provenance.searching

    def capture(context, texts, coverage=True):
        seen.update(context=context, texts=texts)
        return start_search(context, texts, coverage)

    with monkeypatch.context() as patch:
        patch.setattr(provenance, "searching", capture)
        assert [p.rule for p in validate_package(descriptor_path) if p.resource != "metrics"] == []
    return seen["context"], seen["texts"]


def least_cpu_seconds(inputs, monkeypatch, runs=15):
    """For each (context, texts), the least CPU seconds of the checks over runs, the packages taking
    turns so that a busy moment of the machine falls on both, all in this process."""
    times = [[] for _ in inputs]
    with monkeypatch.context() as patch:
        patch.setattr(provenance, "FORK_FROM_CHARS", float("inf"))  # no forked child, whose time this clock would not see
        for _ in range(runs):
            for (context, texts), taken in zip(inputs, times):
                start = time.process_time()
                provenance.quote_search_problems(context, texts)
                taken.append(time.process_time() - start)
    return [min(taken) for taken in times]


def test_doubling_distinct_quotes_at_most_triples_the_coverage_and_quote_checks(tmp_path, monkeypatch):
    inputs = [quote_check_inputs(build_package(rows, tmp_path / str(rows), "distinct"), monkeypatch) for rows in (2_000, 4_000)]
    small, large = least_cpu_seconds(inputs, monkeypatch)
    assert large <= 3 * small, f"2,000 rows: {small:.3f} CPU-s, 4,000 rows: {large:.3f} CPU-s ({large / small:.1f}x)"
