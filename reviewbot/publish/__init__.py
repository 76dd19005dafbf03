"""Output formats for a finished result: terminal text, JSON, Markdown, SARIF, annotations.

Posting to GitHub is not a format: it lives in ``reviewbot.github``.
"""
