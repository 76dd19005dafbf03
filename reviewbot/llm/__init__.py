"""Model access: the only package that speaks HTTP to models."""
