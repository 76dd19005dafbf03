"""Whole-repository audits: planning by risk, sharding, merging, reports."""
