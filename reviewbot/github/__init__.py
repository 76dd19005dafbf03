"""Everything GitHub: the event, the API client, the pull-request run, publishing, Actions I/O.

The only package that imports PyGithub or speaks to GitHub (see docs/architecture.md).
"""
