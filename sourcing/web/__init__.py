"""The sourcer's web page: server-rendered views over the same stages the CLI calls."""
