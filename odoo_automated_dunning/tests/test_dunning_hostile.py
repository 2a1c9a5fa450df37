import json
import time
from urllib.parse import quote, urlencode

from odoo import fields
from odoo.tests import tagged

from .test_dunning_portal import DunningPortalCommon

BIG = "x" * 10_240
# Path ids: unicode digits ('²'.isdigit() is true, int('٣') is 3), signs, PostgreSQL's
# integer overflow, a NUL byte, letters.
BAD_PATH_IDS = ["²", "٣", "-1", "0", "2147483648", "99999999999999999999", "abc", "1\x00"]
BAD_IDS = [*BAD_PATH_IDS, "", BIG]
BAD_TOKENS = ["é", "\x00", BIG, "²", "a" * 65, "<script>"]
BAD_TEXTS = ["\x00", "a\x00b", BIG]
BAD_TARGETS = ["planabc", "plan", "plan²", "plan-1", "plan99999999999", "i", "i1__2", "x7", BIG]
# What may answer a hostile request: 2xx/3xx pages, 400, 404, 405.
OK_STATUS = {200, 303, 302, 400, 404, 405}


def q(value):
    return quote(value, safe="")


@tagged("post_install", "-at_install")
class TestDunningHostileInput(DunningPortalCommon):
    """A corpus of hostile and clumsy input sent to every route of controllers/portal*.py
    (the payments page, pay, transaction, plan page, accept, plan pay, plan request,
    dispute) and of the preferences links (page, opt-out): logged in, anonymous with a
    valid link, anonymous with a bad one. No server error, no warning or error in the log,
    nothing written, no traceback or database message shown."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.plan_portal_max_installments = 6
        Plan = cls.env["dunning.payment.plan"]
        cls.plan = Plan.create(
            Plan._prepare_from_invoices(
                cls.inv_old, installment_count=2, first_due_date=fields.Date.today()
            )
        )
        cls.plan.action_propose()
        cls.plan._portal_ensure_token()

    # The corpus -------------------------------------------------------------------------

    def _requests(self, link):
        """(method, url, data) for every route; ``link``: the portal query of a valid link
        ({} when logged in, or the bad token's query for the anonymous case)."""
        customer, inv, plan = self.customer.id, self.inv_new.id, self.plan.id
        pref = self.customer._dunning_preferences_token()
        requests = []
        # Bad ids in paths.
        for bad in BAD_PATH_IDS:
            b = q(bad)
            requests += [
                ("GET", f"/my/dunning/plan/{b}", None),
                ("POST", f"/my/dunning/plan/{b}/accept", {"name": "Jane", "consent": "1"}),
                ("GET", f"/my/dunning/plan/{b}/pay", None),
                ("POST", f"/my/dunning/dispute/{b}", {**link, "message": "no"}),
                ("GET", f"/dunning/preferences/{b}/{pref}", None),
                ("POST", f"/dunning/preferences/{b}/{pref}", {"object": "1"}),
                ("GET", f"/dunning/optout/{b}/{pref}/email", None),
                ("JSON", f"/my/dunning/transaction/{b}/i{inv}", {**link}),
            ]
        # Bad tokens, in the query and in paths.
        for bad in BAD_TOKENS:
            bad_link = {"partner_id": str(customer), "access_token": bad}
            requests += [
                ("GET", "/my/dunning?" + urlencode(bad_link), None),
                ("GET", "/my/dunning/pay?" + urlencode(bad_link), None),
                ("GET", "/my/dunning/plan/request?" + urlencode(bad_link), None),
                ("POST", "/my/dunning/plan/request", {**bad_link, "name": "J", "invoice_ids": inv}),
                ("POST", f"/my/dunning/dispute/{inv}", {**bad_link, "message": "no"}),
                ("GET", f"/my/dunning/plan/{plan}?" + urlencode({"access_token": bad}), None),
                ("POST", f"/my/dunning/plan/{plan}/accept", {"access_token": bad, "name": "J"}),
                ("GET", f"/my/dunning/plan/{plan}/pay?" + urlencode({"access_token": bad}), None),
                ("GET", f"/dunning/preferences/{customer}/{q(bad)}", None),
                ("POST", f"/dunning/preferences/{customer}/{q(bad)}", {"object": "1"}),
                ("GET", f"/dunning/optout/{customer}/{q(bad)}/email", None),
                ("JSON", f"/my/dunning/transaction/{customer}/i{inv}", {"access_token": bad}),
            ]
        # Bad customer ids beside a token.
        token = self.customer._dunning_portal_token()
        for bad in BAD_IDS:
            bad_link = {"partner_id": bad, "access_token": token}
            requests += [
                ("GET", "/my/dunning?" + urlencode(bad_link), None),
                ("GET", "/my/dunning/pay?" + urlencode(bad_link), None),
                ("POST", "/my/dunning/plan/request", {**bad_link, "name": "J"}),
                ("POST", f"/my/dunning/dispute/{inv}", {**bad_link, "message": "no"}),
            ]
        # With a valid link (or logged in): bad values everywhere else.
        for bad in BAD_IDS:
            requests += [
                ("GET", "/my/dunning/pay?" + urlencode({**link, "invoice_ids": bad}), None),
                (
                    "POST",
                    "/my/dunning/plan/request",
                    {**link, "invoice_ids": bad, "installment_count": "3", "name": "Jane"},
                ),
            ]
        for bad in ["0", "-3", "20000", "100000", "²", "٣", "1e3", "3.5", "", BIG, "3\x00"]:
            requests.append(
                (
                    "POST",
                    "/my/dunning/plan/request",
                    {**link, "invoice_ids": inv, "installment_count": bad, "name": "Jane"},
                )
            )
        for bad in ["yearly", "\x00", BIG]:
            requests.append(
                (
                    "POST",
                    "/my/dunning/plan/request",
                    {**link, "invoice_ids": inv, "installment_count": "3", "frequency": bad},
                )
            )
        for bad in [*BAD_TEXTS, ""]:
            requests += [
                (
                    "POST",
                    "/my/dunning/plan/request",
                    {**link, "invoice_ids": inv, "installment_count": "3", "name": bad},
                ),
                ("POST", f"/my/dunning/dispute/{inv}", {**link, "reason": "x", "message": bad}),
                ("GET", "/my/dunning?" + urlencode({**link, "message": bad}), None),
            ]
        plan_token = self.plan.access_token
        for bad in [*BAD_TEXTS, ""]:
            requests += [
                (
                    "POST",
                    f"/my/dunning/plan/{plan}/accept",
                    {"access_token": plan_token, "name": bad, "consent": "1"},
                ),
                (
                    "GET",
                    f"/my/dunning/plan/{plan}?"
                    + urlencode({"access_token": plan_token, "message": bad}),
                    None,
                ),
            ]
        requests += [
            # Missing parameters.
            ("POST", "/my/dunning/plan/request", {**link}),
            ("POST", f"/my/dunning/dispute/{inv}", {**link}),
            ("POST", f"/my/dunning/plan/{plan}/accept", {"access_token": plan_token}),
            ("POST", f"/dunning/preferences/{customer}/{pref}", {}),
            ("POST", f"/dunning/preferences/{customer}/{pref}", {"email": "\x00", "sms": BIG}),
            ("GET", f"/dunning/preferences/{customer}/{pref}?optout={q(BIG)}", None),
            ("GET", f"/dunning/optout/{customer}/{pref}/{q(BIG)}", None),
            ("GET", f"/dunning/optout/{customer}/{pref}/%00", None),
            ("JSON", f"/my/dunning/transaction/{customer}/i{inv}", {**link}),
        ]
        # The transaction route: unknown targets, then payment values of the wrong types.
        for bad in BAD_TARGETS:
            requests.append(("JSON", f"/my/dunning/transaction/{customer}/{q(bad)}", {**link}))
        payment = {
            "provider_id": self.env.ref("payment.payment_provider_demo").id,
            "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
            "token_id": None,
            "amount": 1.0,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": "/my/dunning",
            "is_validation": False,
            "payment_reference": "x",
        }
        for key, bad in [
            ("provider_id", "abc"),
            ("provider_id", -1),
            ("provider_id", 2**40),
            ("provider_id", [1]),
            ("payment_method_id", "²"),
            ("token_id", {"id": 1}),
            ("flow", "teleport"),
            ("tokenization_requested", "yes"),
            ("landing_route", "https://evil.example/"),
            ("landing_route", "//evil.example/"),
            ("landing_route", BIG),
            ("is_validation", True),
            ("payment_reference", "\x00"),
            ("unknown_key", 1),
        ]:
            requests.append(
                (
                    "JSON",
                    f"/my/dunning/transaction/{customer}/i{inv}",
                    {**link, **payment, key: bad},
                )
            )
        return requests

    # Sending it ---------------------------------------------------------------------------

    def _counts(self):
        return {
            model: self.env[model].sudo().search_count([])
            for model in (
                "dunning.payment.plan",
                "dunning.payment.plan.installment",
                "dunning.consent",
                "mail.activity",
                "mail.message",
                "payment.transaction",
            )
        } | {
            "disputes": self.env["account.move"].search_count([("dunning_dispute", "=", True)]),
            "accepted": self.env["dunning.payment.plan"].search_count([("state", "=", "active")]),
        }

    def _send(self, method, url, data, csrf):
        if method == "JSON":
            return self.url_open(
                url,
                data=json.dumps({"jsonrpc": "2.0", "id": 1, "params": data or {}}),
                headers={"Content-Type": "application/json"},
                allow_redirects=False,
            )
        if method == "POST":
            return self.url_open(url, data={**data, "csrf_token": csrf}, allow_redirects=False)
        return self.url_open(url, allow_redirects=False)

    def _send_corpus(self, link, csrf):
        before = self._counts()
        requests = self._requests(link)
        with self.assertNoLogs("odoo", "WARNING"):
            for method, url, data in requests:
                response = self._send(method, url, data, csrf)
                with self.subTest(method=method, url=url[:120], data=str(data)[:120]):
                    self.assertIn(response.status_code, OK_STATUS)
                    for leak in ("psycopg2", "NUL (0x00)", "integer out of range"):
                        self.assertNotIn(leak, response.text)
                    if method != "JSON" or response.status_code == 404:
                        # A path no route matches gets the plain 404 page.
                        self.assertNotIn("Traceback", response.text)
                    else:
                        # Odoo's JSON-RPC errors always carry their stack in "debug";
                        # what matters is that it is a refusal, not a crash.
                        error = response.json().get("error")
                        self.assertTrue(error, "a hostile payment call is refused")
                        self.assertTrue(
                            error["data"]["name"].startswith("werkzeug.exceptions."),
                            error["data"]["name"],
                        )
        self.env.invalidate_all()
        self.assertEqual(self._counts(), before, "nothing is written")
        self.assertFalse(self.inv_new.dunning_dispute)
        return len(requests)

    def _anonymous_csrf(self):
        page = self.url_open(
            self.customer._dunning_preferences_url().replace(self.customer.get_base_url(), "")
        )
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def test_anonymous_with_a_valid_link(self):
        link = {
            "partner_id": str(self.customer.id),
            "access_token": self.customer._dunning_portal_token(),
        }
        sent = self._send_corpus(link, self._anonymous_csrf())
        self.assertGreater(sent, 150)

    def test_anonymous_with_a_bad_link(self):
        link = {"partner_id": str(self.customer.id), "access_token": "é"}
        self._send_corpus(link, self._anonymous_csrf())

    def test_logged_in(self):
        self.authenticate("jane", "jane")
        self._send_corpus({}, self._csrf())

    # Bounds and escaping ------------------------------------------------------------------

    def test_a_huge_plan_request_is_refused_at_once_and_writes_nothing(self):
        self.authenticate("jane", "jane")
        csrf = self._csrf("/my/dunning/plan/request")
        Plan = self.env["dunning.payment.plan"]
        for count in ("20000", "100000", "37"):
            start = time.perf_counter()
            response = self.url_open(
                "/my/dunning/plan/request",
                data={
                    "invoice_ids": self.inv_new.id,
                    "installment_count": count,
                    "frequency": "weekly",
                    "name": "Jane Buyer",
                    "csrf_token": csrf,
                },
            )
            elapsed = time.perf_counter() - start
            self.assertEqual(response.status_code, 200)
            self.assertIn("Choose between 1 and 36 installments.", response.text)
            self.assertLess(elapsed, 2.0, f"{count} installments refused in {elapsed:.2f} s")
        self.assertFalse(Plan.search([("requested_in_portal", "=", True)]))
        # Through the model too (the controller is not the only way in).
        with self.assertRaisesRegex(Exception, "between 1 and 36"):
            Plan.sudo()._portal_request(self.inv_new, 20000, "weekly", "Jane", "127.0.0.1")
        # The hard maximum itself is accepted, waiting for approval beyond the policy's 6.
        start = time.perf_counter()
        plan = Plan.sudo()._portal_request(self.inv_new, 36, "weekly", "Jane", "127.0.0.1")
        self.assertLess(time.perf_counter() - start, 2.0)
        self.assertEqual((plan.state, len(plan.installment_ids)), ("draft", 36))

    def test_dispute_text_is_text_in_the_collectors_activity_and_chatter(self):
        self.customer.with_company(self.env.company).dunning_responsible_id = self.env.user
        self.authenticate("jane", "jane")
        hostile = (
            '<a href="https://evil.example/pay">Pay here</a>'
            '<img src="https://evil.example/pixel.gif"><script>alert(1)</script>\nline two'
        )
        self.url_open(
            f"/my/dunning/dispute/{self.inv_new.id}",
            data={"reason": "other", "message": hostile, "csrf_token": self._csrf()},
        )
        self.assertTrue(self.inv_new.dunning_dispute)
        note = str(self.inv_new.activity_ids.note)
        message = str(self.inv_new.message_ids.filtered(lambda m: "Disputed" in str(m.body)).body)
        for html in (note, message):
            self.assertNotIn("<a ", html)
            self.assertNotIn("<img", html)
            self.assertNotIn("<script", html)
            self.assertIn("&lt;a href=", html)
        self.assertIn("evil.example/pixel.gif", note, "the words are kept, as text")
        self.assertIn("<br>line two", note.replace("<br/>", "<br>"))

    def test_an_empty_dispute_asks_for_the_reason(self):
        self.authenticate("jane", "jane")
        response = self.url_open(
            f"/my/dunning/dispute/{self.inv_new.id}",
            data={"reason": "other", "message": "  ", "csrf_token": self._csrf()},
        )
        self.assertIn("Tell us what is wrong with the invoice", response.text)
        self.assertFalse(self.inv_new.dunning_dispute)
