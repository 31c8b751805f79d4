"""Command groups of the `sourcing` CLI; each module defines `register(app)` and an ORDER for --help."""
