"""The package's static site: see docs/site.md."""
