"""The review agent: the model in a loop with read-only tools, limits and a context guard."""
