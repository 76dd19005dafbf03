"""Learnings: rules taught by maintainers' rejections of findings, and where they live."""

from reviewbot.learnings.model import (
    Applied,
    Learning,
    apply_learnings,
    from_feedback,
    instructions,
    kind_of,
)
from reviewbot.learnings.store import Stored, parse, render

__all__ = [
    "Applied",
    "Learning",
    "Stored",
    "apply_learnings",
    "from_feedback",
    "instructions",
    "kind_of",
    "parse",
    "render",
]
