"""Reports: the report types (`types/`, registered in `registry`), their data sources (`sources/`),
the renderers of each file format (`renderers/`), conditions for alerts (`conditions/`), report
windows and the summary posted with a report. Imports storage only (for files and errors)."""
