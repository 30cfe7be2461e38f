"""The sources of a large package are searched for their quotes by forked children, a share of the
sources each (dp.forked): the problems are the same as when one process searches them all, and a
child that fails makes the provenance check fail closed."""
import pandas as pd
import pytest

from dp import forked, provenance
from dp.bench import build_package
from dp.validate import validate_package

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="work is forked on Linux only")


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """A package whose metrics quote four sources, two quotes of which are not verbatim."""
    descriptor = build_package(10_024, tmp_path_factory.mktemp("quotes") / "package", "distinct")
    metrics = descriptor.parent / "data" / "metrics.csv"
    frame = pd.read_csv(metrics, dtype=str, keep_default_na=False)
    for row in (5100, 10020):  # in the second and third synthetic sources
        frame.at[row, "quote"] = frame.at[row, "quote"].replace("targets", "target sites")
    frame.to_csv(metrics, index=False, lineterminator="\n")
    return descriptor


def problems(descriptor, monkeypatch, fork_from_chars, cores=2):
    monkeypatch.setattr(provenance, "FORK_FROM_CHARS", fork_from_chars)
    monkeypatch.setattr(forked, "cores", lambda: cores)
    return [(p.resource, p.rule, p.row, p.row_id, p.field, p.message) for p in validate_package(descriptor)]


def test_children_searching_shares_of_the_sources_find_what_one_process_finds(package, monkeypatch):
    forks = []
    monkeypatch.setattr(forked.Forked, "_fork", lambda self, started, fork=forked.Forked._fork: forks.append(1) or fork(self, started))
    alone = problems(package, monkeypatch, fork_from_chars=10**12)
    assert not forks
    for cores in (2, 3):
        assert problems(package, monkeypatch, fork_from_chars=0, cores=cores) == alone
    assert len(forks) == 5  # two children, then three
    assert [(rule, row_id) for _, rule, _, row_id, _, _ in alone if rule in ("quote-verbatim", "coverage")] == [
        ("quote-verbatim", "m0005100"), ("quote-verbatim", "m0010020"),
        ("coverage", "synthetic-0001"), ("coverage", "synthetic-0002")]


def test_a_child_that_fails_is_reported_as_a_check_that_could_not_run(package, monkeypatch):
    def broken(quote_pairs, texts, coverage):
        raise MemoryError("no room for the automaton")
    monkeypatch.setattr(provenance, "_search_sources", broken)
    found = problems(package, monkeypatch, fork_from_chars=0)
    assert ("datapackage.json", "internal-error", None, None, None,
            "the provenance check could not run (ChildFailed: MemoryError: no room for the automaton); "
            "the package is not known to be valid") in found
    assert not [p for p in found if p[1] in ("quote-verbatim", "coverage")]


def test_the_shares_keep_the_order_of_the_sources_and_about_as_many_characters_each():
    texts = {"a": "x" * 10, "b": "x" * 10, "c": "x" * 30, "d": "x" * 10}
    assert [list(share) for share in provenance._shares(texts, 2)] == [["a", "b"], ["c", "d"]]
    assert [list(share) for share in provenance._shares(texts, 1)] == [["a", "b", "c", "d"]]
    assert [list(share) for share in provenance._shares(texts, 4)] == [["a"], ["b"], ["c"], ["d"]]
    assert provenance._shares({"a": "x" * 10, "b": "x"}, 2) == [{"a": "x" * 10}, {"b": "x"}]
    assert provenance._shares({"a": "x" * 10}, 2) == [{"a": "x" * 10}]  # no share is left empty
    assert provenance._shares({}, 2) == [{}]
