"""Fuzzing the gate with a stranger's package: whatever the descriptor, schemas and CSVs hold,
validation answers 0, 1 or 2, prints no traceback, never hangs, and writes nothing.

Hypothesis mutates a copy of the package: a value anywhere in datapackage.json or a Table
Schema replaced by any JSON value or deleted, or bytes of one of those files or of a CSV
inserted, deleted or overwritten. A release zip from anywhere is fuzzed the same way: bytes of
the zip file itself, or bytes of one of its members, zipped again. The suite runs a few examples (each validation takes ~1-3 s);
`make fuzz` runs many more: FUZZ_EXAMPLES=N sets how many.
"""
import contextlib
import hashlib
import io
import json
import os
import signal
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from breakage import refresh
from conftest import ROOT, copy_package
from dp.dist import build_zip
from dp.package import read_json
from validate import main

settings.register_profile("suite", max_examples=8, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = "fuzz" if os.environ.get("FUZZ_EXAMPLES") else "suite"
SECONDS_PER_RUN = 120  # a validation of this package takes seconds; one that takes minutes hangs

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(["", "string", "number", "date", "geopoint", "../datapackage.json", "/etc/passwd",
                       "http://127.0.0.1:9/x", "(a+)+", "(?=a)", "id", "places", "sources"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=8,
)
TOKENS = [b'"', b",", b"\n", b"\r\n", b"\r", b"\x00", b"\xa0", b"\xc2\xa0", b"\xff", b"=", b"{", b"[", b"]", b"}", b":", b"\\"]
FILES = [f"data/{path.name}" for path in sorted((ROOT / "data").glob("*.csv"))] + \
        [f"schemas/{path.name}" for path in sorted((ROOT / "schemas").glob("*.json"))] + ["datapackage.json"]


def _paths(value, prefix=()):
    """Every path (keys and indices) to a value inside parsed JSON."""
    yield prefix
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        yield from _paths(item, prefix + (key,))


@st.composite
def json_mutation(draw, data):
    paths = [path for path in _paths(data) if path]
    path = draw(st.sampled_from(paths))
    replacement = draw(st.just("<delete>") | JSON_VALUES)
    return path, replacement


def apply_json_mutation(data, mutation):
    path, replacement = mutation
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if replacement == "<delete>":
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return json.dumps(data, allow_nan=True)  # NaN and Infinity too: they are not JSON, but files hold them


@st.composite
def byte_mutation(draw, size):
    start = draw(st.integers(0, size))
    end = draw(st.integers(start, min(size, start + 64)))
    insert = draw(st.lists(st.sampled_from(TOKENS) | st.binary(max_size=8), max_size=6).map(b"".join))
    return start, end, insert


def mutated_package(data, folder):
    """A copy of the package in folder with one file mutated; returns its datapackage.json."""
    descriptor = copy_package(folder)
    name = data.draw(st.sampled_from(FILES), label="file")
    path = folder / name
    content = path.read_bytes()
    if name.endswith(".json") and data.draw(st.booleans(), label="structural"):
        parsed = json.loads(content)
        path.write_text(apply_json_mutation(parsed, data.draw(json_mutation(parsed), label="json mutation")), encoding="utf-8")
    else:
        start, end, insert = data.draw(byte_mutation(len(content)), label="byte mutation")
        path.write_bytes(content[:start] + insert + content[end:])
        if name.endswith(".csv") and data.draw(st.booleans(), label="refresh hashes"):
            with contextlib.suppress(Exception):  # a broken descriptor cannot be refreshed; fine
                refresh(descriptor)
    return descriptor


def tree(folder):
    """{path: sha256} of every file under folder."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(Path(folder).rglob("*")) if path.is_file()}


def _hang(signum, frame):
    raise TimeoutError(f"validation ran for more than {SECONDS_PER_RUN} s")


def validated_without_harm(target, folder):
    """Validate target (a descriptor or a zip inside folder) in this process, and check that the
    answer is an exit code with no traceback, and that nothing was written anywhere."""
    before, repository = tree(folder), tree_of_repository()
    stdout, stderr = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(SECONDS_PER_RUN)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main([str(target)])  # an exception here fails the test: that is a traceback
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert code in (0, 1, 2)
    assert "Traceback" not in stdout.getvalue() + stderr.getvalue()
    assert (code == 2) == bool(stderr.getvalue()), stderr.getvalue()
    assert tree(folder) == before, "validation changed the package"
    assert tree_of_repository() == repository, "validation wrote into the repository"
    return code


@settings.get_profile(PROFILE)
@given(st.data())
def test_any_mutation_gets_an_exit_code_and_no_traceback(data):
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "package"
        folder.mkdir()
        validated_without_harm(mutated_package(data, folder), folder)
        assert sorted(Path(temporary).iterdir()) == [folder], "validation wrote next to the package"


RELEASE_ZIP = build_zip(ROOT, "datapackage.json", read_json(ROOT / "datapackage.json"), "2026-01-01")


def mutated_zip(data):
    """The release zip with bytes of the file itself, or of one member zipped again, mutated."""
    if data.draw(st.booleans(), label="mutate the zip's own bytes"):
        start, end, insert = data.draw(byte_mutation(len(RELEASE_ZIP)), label="byte mutation")
        return RELEASE_ZIP[:start] + insert + RELEASE_ZIP[end:]
    with zipfile.ZipFile(io.BytesIO(RELEASE_ZIP)) as original:
        members = [(info, original.read(info)) for info in original.infolist()]
    target = data.draw(st.sampled_from([info.filename for info, _ in members if not info.is_dir()]), label="member")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rezipped:
        for info, content in members:
            if info.filename == target:
                start, end, insert = data.draw(byte_mutation(len(content)), label="byte mutation")
                content = content[:start] + insert + content[end:]
            rezipped.writestr(info, content)
    return out.getvalue()


@settings.get_profile(PROFILE)
@given(st.data())
def test_any_mutated_zip_gets_an_exit_code_and_no_traceback(data):
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        target = folder / "release.zip"
        target.write_bytes(mutated_zip(data))
        validated_without_harm(target, folder)
        assert sorted(folder.iterdir()) == [target], "validation wrote next to the zip"


def tree_of_repository():
    """The package files of the repository, and what lies at its top: where a stray write would land."""
    return {path.name for path in ROOT.iterdir()}, tree(ROOT / "data"), tree(ROOT / "schemas")
