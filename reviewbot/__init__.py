"""reviewbot: a code-review bot for Git repositories, driven by Kimi K2 Thinking."""

__version__ = "0.1.0"
