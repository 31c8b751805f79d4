"""The offline world: a generated ML community served over local HTTP as GitHub, arXiv and
conference sites, with known truth (see model.py, generate.py, rows.py, server.py)."""
