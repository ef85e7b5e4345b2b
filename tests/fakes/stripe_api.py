"""A local stand-in for Stripe's HTTP API, served on loopback.

The application talks to it through the real `stripe` SDK (only the base address changes),
so request encoding, authentication headers, retries and response parsing are all real.
"""

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class FakeStripe:
    def __init__(self):
        self.sessions: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.refunds: list[dict] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # --- what tests use -------------------------------------------------------------

    def last_params(self, path_prefix: str) -> dict:
        return next(
            p
            for method, path, p in reversed(self.requests)
            if path.startswith(path_prefix)
        )

    def complete(self, session_id: str, *, paid: bool = True) -> dict:
        with self._lock:
            session = self.sessions[session_id]
            session["status"] = "complete"
            session["payment_status"] = "paid" if paid else "unpaid"
            session["payment_intent"] = (
                session["payment_intent"] or f"pi_{session_id[3:]}"
            )
            return dict(session)

    def expire(self, session_id: str) -> dict:
        """Stripe expires an unpaid session after 24 hours; an expired one has no url."""
        with self._lock:
            session = self.sessions[session_id]
            session["status"], session["url"] = "expired", None
            return dict(session)

    def created_sessions(self) -> int:
        return sum(
            1
            for method, path, _ in self.requests
            if method == "POST" and path == "/v1/checkout/sessions"
        )

    def mark_paid(self, session_id: str) -> dict:
        """An asynchronous payment (e.g. a bank debit) clears later."""
        with self._lock:
            self.sessions[session_id]["payment_status"] = "paid"
            return dict(self.sessions[session_id])

    # --- the HTTP side ----------------------------------------------------------------

    def _create_session(self, params: dict) -> dict:
        number = next(self._ids)
        session_id = f"cs_test_{number:06d}"
        metadata = {
            key[len("metadata[") : -1]: value
            for key, value in params.items()
            if key.startswith("metadata[")
        }
        session = {
            "id": session_id,
            "object": "checkout.session",
            "url": f"https://checkout.stripe.test/c/pay/{session_id}",
            "mode": params.get("mode"),
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": int(params["line_items[0][price_data][unit_amount]"])
            * int(params.get("line_items[0][quantity]", 1)),
            "currency": params["line_items[0][price_data][currency]"],
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": metadata,
            "payment_intent": None,
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
        }
        self.sessions[session_id] = session
        return session

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_fake")
                self.end_headers()
                self.wfile.write(data)

            def _not_found(self, what: str):
                self._reply(
                    404,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "code": "resource_missing",
                            "message": f"No such {what}",
                        }
                    },
                )

            def _authorised(self) -> bool:
                if not self.headers.get("Authorization", "").startswith(
                    "Bearer sk_test_"
                ):
                    self._reply(
                        401,
                        {
                            "error": {
                                "type": "invalid_request_error",
                                "message": "Invalid API Key",
                            }
                        },
                    )
                    return False
                return True

            def do_POST(self):
                if not self._authorised():
                    return
                length = int(self.headers.get("Content-Length", 0))
                params = dict(parse_qsl(self.rfile.read(length).decode()))
                with fake._lock:
                    fake.requests.append(("POST", self.path, params))
                    if self.path == "/v1/checkout/sessions":
                        return self._reply(200, fake._create_session(params))
                    if self.path == "/v1/refunds":
                        refund = {
                            "id": f"re_{next(fake._ids):06d}",
                            "object": "refund",
                            "payment_intent": params.get("payment_intent"),
                            "amount": int(params["amount"])
                            if "amount" in params
                            else None,
                            "status": "succeeded",
                        }
                        fake.refunds.append(refund)
                        return self._reply(200, refund)
                self._not_found("endpoint")

            def do_GET(self):
                if not self._authorised():
                    return
                with fake._lock:
                    fake.requests.append(("GET", self.path, {}))
                    prefix = "/v1/checkout/sessions/"
                    if self.path.startswith(prefix):
                        session = fake.sessions.get(
                            self.path[len(prefix) :].split("?")[0]
                        )
                        if session:
                            return self._reply(200, session)
                        return self._not_found("checkout.session")
                self._not_found("endpoint")

        return Handler
