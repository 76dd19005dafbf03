"""The front ends, side by side: one module per command, each thin.

``cli/`` reads flags and environment into ``Settings`` and a job value, then calls the
``run`` of the command's module here; the work itself lives in the packages below.
"""
