"""Benchmarks (scripts, not tests): every stage measured at scale beside the machine's limit."""
