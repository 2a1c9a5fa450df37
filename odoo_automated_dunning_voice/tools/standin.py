"""A local stand-in for Twilio's voice REST API, for the tests and the demo.

It listens on 127.0.0.1, records every request (path, credentials, form) and answers like
Twilio's Calls endpoint: 201 with a new call sid, or the error it is told to return. Point
the system parameter ``odoo_automated_dunning_voice.twilio_api_url`` at ``url``.
"""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class StandInTwilio:
    """A local stand-in for Twilio's REST API: records every request and answers like
    Twilio's Calls endpoint (201 with the call's sid), or with the error it is told to."""

    def __init__(self):
        self.requests = []
        self.error = None  # (HTTP status, Twilio error payload) for the next requests
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                pairs = parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True)
                stand_in.requests.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "pairs": pairs,
                        "form": dict(pairs),
                    }
                )
                if stand_in.error:
                    status, payload = stand_in.error
                else:
                    status = 201
                    payload = {"sid": f"CA{uuid.uuid4().hex}", "status": "queued"}
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass  # quiet: the test log must stay free of noise

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def calls(self):
        return [r for r in self.requests if r["path"].endswith("/Calls.json")]
