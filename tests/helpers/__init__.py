"""Test helpers shared by every suite."""
