"""Identity resolution: one person across GitHub, arXiv, talks and proceedings — precise,
explainable, correctable (see resolve.py for the pass, rules.py for the evidence)."""

from sourcing.identity.decisions import accept, dismiss, merge, person_detail, split, suggestions
from sourcing.identity.resolve import resolve

__all__ = ["resolve", "person_detail", "merge", "split", "suggestions", "accept", "dismiss"]
