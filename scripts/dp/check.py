"""Checking a package as its users get it: the validation gate on any spec dp.source opens, a release zip included."""
import dataclasses

from dp.package import PackageError
from dp.source import open_package
from dp.validate import validate_package


def validate_spec(spec, repo=None):
    """The problems of the package spec names, each named as the user sees it (a zip's members by their path in it)."""
    with open_package(spec, repo) as view:
        try:
            problems = validate_package(view)
        except PackageError as err:
            raise PackageError(view.shown(err)) from None
        if view.origin is None:
            return problems
        paths = {resource.get("name"): resource.get("path") for resource in view.descriptor()["resources"]}
        return [dataclasses.replace(problem, resource=view.name(paths.get(problem.resource) or problem.resource),
                                    message=view.shown(problem.message)) for problem in problems]
