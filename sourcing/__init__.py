"""sourcing: find machine-learning talent by what people have shown, not what their CV says."""

__version__ = "0.1.0"
