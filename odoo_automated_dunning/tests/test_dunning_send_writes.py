from odoo.sql_db import Cursor
from odoo.tests import freeze_time, tagged

from odoo.addons.odoo_automated_dunning.models.dunning_communication import decision_of

from .common import DunningCommon
from .test_dunning_render_batch import _prepared_run


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningSendWrites(DunningCommon):
    """Send Prepared writes each invoice once (its portal token with its level) and the
    reminders in one set, and the database then holds what the ORM holds."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.third_customer = cls._customer("Initech", "ap@initech.example.com")
        cls.customers = cls.customer | cls.other_customer | cls.third_customer
        cls.invoices = cls.env["account.move"]
        for customer in cls.customers:
            for amount in (100.0, 250.0):
                cls.invoices |= cls._invoice(customer, amount, "2025-06-01")

    def _send_recording(self, run):
        """Send Prepared on ``run``; the statements it ran."""
        statements = []
        execute = Cursor.execute

        def recording(cursor, query, params=None, log_exceptions=True):
            statements.append(" ".join(str(getattr(query, "code", query)).split()))
            return execute(cursor, query, params, log_exceptions)

        self.patch(Cursor, "execute", recording)
        run.action_send_prepared()
        self.env.flush_all()
        self.patch(Cursor, "execute", execute)
        return statements

    def test_each_invoice_is_written_once_with_its_token_and_level(self):
        self.env.cr.execute(
            "UPDATE account_move SET access_token = NULL WHERE id = ANY(%s)", [self.invoices.ids]
        )
        self.invoices.invalidate_recordset(["access_token"])
        run = _prepared_run(self.env, self.customers)
        statements = self._send_recording(run)

        updates = [s for s in statements if s.startswith('UPDATE "account_move"')]
        self.assertEqual(len(updates), 1, updates)
        for column in ("access_token", "dunning_level_id", "dunning_last_date", "write_date"):
            self.assertIn(f'"{column}"', updates[0])
        self.assertFalse([s for s in statements if s.startswith("UPDATE account_move")])

        # The database holds the tokens the pay links carry and the level sent.
        self.env.invalidate_all()
        self.env.cr.execute(
            "SELECT id, access_token, dunning_level_id, dunning_last_date FROM account_move"
            " WHERE id = ANY(%s)",
            [self.invoices.ids],
        )
        stored = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        self.assertEqual(len({token for token, _level, _day in stored.values()}), 6)
        for communication in run.communication_ids:
            self.assertEqual(communication.state, "queued")
            for move in communication.line_ids.move_id:
                token, level_id, day = stored[move.id]
                self.assertTrue(token)
                self.assertEqual((level_id, str(day)), (self.level1.id, "2025-06-20"))
                self.assertIn(f"access_token={token}", communication.mail_id.body_html)

    def test_reminders_hold_their_mail_as_written_record_by_record(self):
        run = _prepared_run(self.env, self.customers)
        statements = self._send_recording(run)
        # The reminders' values go in one UPDATE, not one per reminder.
        updates = [s for s in statements if s.startswith('UPDATE "dunning_communication"')]
        self.assertEqual(len(updates), 1, updates)

        self.env.invalidate_all()
        communications = run.communication_ids
        self.assertEqual(len(communications), 3)
        for communication in communications:
            mail = communication.mail_id
            self.assertTrue(mail)
            self.assertEqual(communication.state, "queued")
            self.assertEqual(
                communication.decision,
                decision_of(
                    "queued",
                    communication.skip_reason,
                    communication.scheduled_at,
                    communication.quota_deferred,
                ),
            )
            self.assertEqual(communication.mail_message_id, mail.mail_message_id)
            self.assertEqual(communication.mail_template_id, self.level1.mail_template_id)
            self.assertEqual(communication.subject, mail.subject)
            self.assertEqual(communication.body, mail.body_html)
            self.assertEqual(communication.recipient_address, communication.recipient_id.email)
            self.assertEqual(communication.write_uid, self.env.user)
        # The run's stored counters were recomputed from the new states.
        counts = {name: run[name] for name in ("queued_count", "message_count", "reminded_count")}
        run.invalidate_recordset()
        run._recompute_recordset()
        self.assertEqual(counts, {name: run[name] for name in counts})
