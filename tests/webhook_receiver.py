"""A real HTTP server on a local port that records what it is sent, for tests/test_webhooks*.py
and tests/test_api_journey.py (the worker that posts to it: tests.factories.run_db_worker)."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intake.models import OutboxMessage


@dataclass
class Receiver:
    """What the local HTTP server was sent (path, headers, raw body), and what it answers."""

    status: int = 200
    received: list = field(default_factory=list)
    # Set: the receiver takes the request and answers only once the test releases it.
    hold: threading.Event | None = None


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.received.append((self.path, dict(self.headers), body))
            if receiver.hold is not None:
                receiver.hold.wait(timeout=30)
            self.send_response(receiver.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):  # quiet test output
            pass

    return Handler


class LocalServer:
    """`with LocalServer(receiver, port):` serves on 127.0.0.1:port until the block ends."""

    def __init__(self, receiver: Receiver, port: int):
        self.receiver = receiver
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(receiver))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        if self.receiver.hold is not None:
            self.receiver.hold.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def time_passes() -> None:
    """Every retry falls due now (as if the back-off had elapsed)."""
    past = timezone.now() - dt.timedelta(seconds=1)
    OutboxMessage.objects.update(next_attempt_at=past)
    DBTaskResult.objects.update(run_after=past)
