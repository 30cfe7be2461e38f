"""The release record: released versions never change (filled in by the release tooling)."""


def problems(context):
    return []
