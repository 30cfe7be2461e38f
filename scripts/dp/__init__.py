"""Tools that build, validate, diff, release and load this data package."""
