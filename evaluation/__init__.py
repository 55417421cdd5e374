"""The question set and its scoring rules (evaluation/README.md), shared by tests and benchmarks."""
