#!/usr/bin/env python3
"""A local SMTP sink for the demo: every message it receives lands in a folder, nowhere else.

    python3 scripts/demo_smtp_sink.py --port 2525 --maildir .demo/mail

Each message is written twice, under the same name: ``.eml`` (the message exactly as received,
for a mail client) and ``.txt`` (subject, sender, recipients, attachments and the text body, for
a terminal). Runs until SIGINT or SIGTERM. Needs aiosmtpd (requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import re
import signal
import sys
import threading
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

from aiosmtpd.controller import Controller


class _TextFromHtml(HTMLParser):
    """Readable text from an HTML body: paragraphs and line breaks kept, links shown."""

    _BREAKS = {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head"):
            self._skip += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head"):
            self._skip = max(self._skip - 1, 0)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        joined = re.sub(r"[ \t\r\f\v]+", " ", "".join(self.parts))
        lines = [line.strip() for line in joined.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def text_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return "(no text body)"
    content = part.get_content()
    if part.get_content_type() == "text/html":
        parser = _TextFromHtml()
        parser.feed(content)
        return parser.text()
    return content.strip()


def render(message: EmailMessage, envelope_from: str, recipients: list[str]) -> str:
    lines = [
        f"Subject: {message.get('Subject', '')}",
        f"From: {message.get('From', '')}",
        f"To: {message.get('To', '')}",
    ]
    if message.get("Cc"):
        lines.append(f"Cc: {message['Cc']}")
    lines += [
        f"Date: {message.get('Date', '')}",
        f"Envelope: {envelope_from} -> {', '.join(recipients)}",
    ]
    attachments = [part.get_filename() or "(unnamed)" for part in message.iter_attachments()]
    if attachments:
        lines.append(f"Attachments: {', '.join(attachments)}")
    return "\n".join([*lines, "", text_body(message), ""])


class MaildirHandler:
    """aiosmtpd handler: store each message as <n>-<subject>.eml and .txt."""

    def __init__(self, maildir: Path):
        self.maildir = maildir
        self.count = len(list(maildir.glob("*.eml")))
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        subject = str(message.get("Subject", "no subject"))
        with self._lock:
            self.count += 1
            stem = f"{self.count:03d}-{_slug(subject)}"
        (self.maildir / f"{stem}.eml").write_bytes(raw)
        text = render(message, envelope.mail_from, list(envelope.rcpt_tos))
        (self.maildir / f"{stem}.txt").write_text(text, encoding="utf-8")
        print(f"received {stem}.eml for {', '.join(envelope.rcpt_tos)}", flush=True)
        return "250 Message accepted for delivery"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "message"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", type=Path, required=True)
    options = parser.parse_args(argv)
    options.maildir.mkdir(parents=True, exist_ok=True)

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    handler = MaildirHandler(options.maildir)
    controller = Controller(handler, hostname=options.host, port=options.port, enable_SMTPUTF8=True)
    controller.start()
    print(f"SMTP sink on {options.host}:{options.port}, writing to {options.maildir}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        controller.stop()
    print(f"SMTP sink stopped after {handler.count} message(s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
