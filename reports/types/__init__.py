"""The built-in report types, each registered with `@report_type` the way a plugin would be."""
