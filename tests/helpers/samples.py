"""A small module before and after a change with a real bug, shared by end-to-end suites."""

CACHE_BEFORE = """import time


class Cache:
    def __init__(self, ttl):
        self.ttl = ttl
        self.items = {}

    def get(self, key):
        value, stamp = self.items[key]
        return value
"""

CACHE_AFTER = """import time


class Cache:
    def __init__(self, ttl):
        self.ttl = ttl
        self.items = {}

    def get(self, key):
        value, stamp = self.items[key]
        if time.time() - stamp > self.ttl:
            return None
        return value

    def put(self, key, value):
        self.items[key] = (value, time.time())
"""
