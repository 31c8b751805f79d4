"""Scoring: the contributor graph, repo and venue importance, capability scores with evidence, taxonomy."""
