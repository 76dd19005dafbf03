"""The one way the fakes serve HTTP: a threading server on 127.0.0.1, run in a daemon thread.

``LocalHTTP(handler)`` starts serving at once (port 0: any free port); ``stop()`` shuts it
down and closes the socket. ``quiet`` drops the server's own tracebacks for connections a
client cut (the K2 fake cuts streams on purpose). ``attributes`` are set on the server
before the first request can arrive (the GitHub fake's dispatcher).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LocalHTTP:
    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        *,
        port: int = 0,
        poll_interval: float = 0.01,
        quiet: bool = False,
        name: str = "fake-http",
        server_class: type[ThreadingHTTPServer] = ThreadingHTTPServer,
        **attributes: Any,
    ) -> None:
        self.httpd = server_class(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        if quiet:
            self.httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
        for key, value in attributes.items():
            setattr(self.httpd, key, value)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": poll_interval},
            name=name,
            daemon=True,
        )
        self.thread.start()

    @property
    def root(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
