"""inference.sh's task API: run an LLM app as a task, follow it, cancel it.

``wire`` builds the app's input from the chat messages the agent keeps; ``task`` reads
tasks and their stream (statuses, envelopes, partial outputs, delta events, usage);
``client`` is the ``ModelClient`` over httpx.
"""
