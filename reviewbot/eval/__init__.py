"""The review-quality benchmark: instances from real history, built as git repositories,
reviewed by `reviewbot review`, and scored against known defects (see docs/quality.md)."""
