"""Real servers on loopback for the delivery tests: SMTP (aiosmtpd) and a robot webhook (http.server).

Each records what it accepted and can be told to refuse the next N attempts, to stall, or to accept the
next N and answer only after a delay (longer than the sender's timeout: the sender cannot know it got
through), so that tests see what a mail server or a WeCom/DingTalk robot really received.
"""

import asyncio
import email
import json
import logging
import socket
import threading
import time
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingSMTPHandler:
    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.refuse_next = 0
        self.stall_seconds = 0.0
        self.attempts = 0
        self.rcpt_started = 0
        self.slow_next = 0  # accept the next N messages, then answer after reply_delay
        self.reply_delay = 0.0
        self.latency = 0.0  # every accepted message is answered after this (a real server is not instant)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_started += 1
        if self.stall_seconds:
            await asyncio.sleep(self.stall_seconds)  # the worker is killed while it waits here
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return "451 4.3.0 Try again later"
            self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
            slow = self.slow_next > 0
            self.slow_next -= slow
        await asyncio.sleep(self.reply_delay if slow else self.latency)
        return "250 Message accepted"

    def recipients(self) -> list[str]:
        with self.lock:
            return [message["To"] for message in self.messages]

    @staticmethod
    def subject(message) -> str:
        return str(make_header(decode_header(message["Subject"])))


class SMTPServer:
    def __init__(self):
        self.handler = RecordingSMTPHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        # Stopping cancels a client still connected (a worker's open connection), which aiosmtpd logs as an
        # error, at times into a stream pytest has closed already ("--- Logging error ---" in CI's output).
        log = logging.getLogger("mail.log")
        level = log.level
        log.setLevel(logging.CRITICAL)
        try:
            self.controller.stop()
        finally:
            log.setLevel(level)

    @property
    def email_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def settings(self) -> dict:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }


class WebhookServer:
    """A robot webhook: answers {"errcode": 0} and records each JSON body with its path and query."""

    def __init__(self):
        self.received: list[dict] = []
        self.refuse_next = 0
        self.slow_next = 0  # record the next N posts, then answer after reply_delay
        self.reply_delay = 0.0
        self.latency = 0.0  # every recorded post is answered after this
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with owner.lock:
                    refuse = owner.refuse_next > 0
                    if refuse:
                        owner.refuse_next -= 1
                    else:
                        owner.received.append({"path": self.path, "json": json.loads(body)})
                    slow = not refuse and owner.slow_next > 0
                    owner.slow_next -= slow
                time.sleep(owner.reply_delay if slow else 0 if refuse else owner.latency)
                try:
                    self.send_response(500 if refuse else 200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(
                        b'{"errcode": 500, "errmsg": "busy"}' if refuse else b'{"errcode": 0, "errmsg": "ok"}'
                    )
                except OSError:
                    pass  # the sender stopped waiting

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def url(self, robot: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/{robot}/send?key=test"


def wait_until(condition, timeout: float = 60, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
