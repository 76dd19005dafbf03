"""Findings: what the model reported, anchored, fingerprinted, deduplicated and filtered."""
