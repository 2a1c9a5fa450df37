"""Sample book for the demo command (scripts/demo), run inside Odoo with an environment.

It goes through Odoo's own flows (posted invoices, registered payments, a credit note), then
replays the dunning run of two weeks ago and runs today's, so the history shows escalation,
and finally hands the mail queue to the SMTP sink. Not loaded by the addon's manifest.
"""

import base64
import io
import random
from datetime import timedelta

from PIL import Image, ImageDraw, ImageFont

from odoo import Command

CUSTOMERS = [
    # name, email, lang, is_company, [(days overdue, amount, currency code)]
    ("Brightline Studios", "accounts@brightline.example.com", "en_US", True, [(9, 1450.0, None)]),
    (
        "Atelier Lumière SARL",
        "compta@atelier-lumiere.example.fr",
        "fr_FR",
        True,
        [(30, 2380.0, "EUR"), (10, 640.0, "EUR")],
    ),
    (
        "Müller Maschinenbau GmbH",
        "buchhaltung@mueller-maschinen.example.de",
        "de_DE",
        True,
        [(55, 8900.0, "EUR")],
    ),
    (
        "Northwind Traders",
        "finance@northwind.example.co.uk",
        "en_GB",
        True,
        [(25, 1200.0, "GBP"), (25, 300.0, "GBP")],
    ),
    ("Jane Doe", "jane.doe@example.com", "en_US", False, [(16, 89.9, None)]),
    ("Contoso Retail", False, "en_US", True, [(20, 560.0, None)]),
    ("Fabrikam Inc.", "ap@fabrikam.example.com", "en_US", True, [(12, 400.0, None)]),
    ("Blue Yonder Airlines", "billing@blueyonder.example.com", "en_US", True, [(15, 700.0, None)]),
    ("Initech", "payables@initech.example.com", "en_US", True, [(-10, 2500.0, None)]),
    ("Woodgrove Bank", False, "en_US", True, [(18, 1890.0, None)]),
    # Reminded two weeks ago, paid five days later: what the effectiveness report measures.
    ("Coho Winery", "accounts@cohowinery.example.com", "en_US", True, [(25, 980.0, None)]),
    (
        "Tailspin Toys",
        "ap@tailspin.example.com",
        "en_US",
        True,
        [(45, 1200.0, None), (20, 600.0, None)],
    ),
]

# Postal addresses for letters, phone numbers for SMS and calls.
ADDRESSES = {
    "Contoso Retail": ("1 Microsoft Way", "98052", "Redmond", "base.us"),
    "Woodgrove Bank": ("500 Market Street", "94105", "San Francisco", "base.us"),
    "Atelier Lumière SARL": ("12 rue de Rivoli", "75004", "Paris", "base.fr"),
}
PHONES = {
    "Atelier Lumière SARL": "+33 1 42 68 53 00",
    "Brightline Studios": "+1 202 555 0143",
}


def run(env, smtp_host, smtp_port):
    """Create the book, run dunning two weeks ago and today, flush mails to the sink."""
    env = env(context=dict(env.context, tracking_disable=True))
    company = env.company
    _prepare_company(env, company)
    # As Settings > Languages does: activate them and load every installed module's terms,
    # our templates' translations included.
    langs = [env["res.lang"]._activate_lang(code) for code in ("fr_FR", "de_DE", "en_GB")]
    env["base.language.install"].create(
        {"lang_ids": [Command.set([lang.id for lang in langs])]}
    ).lang_install()
    currencies = _currencies(env, company)
    today = company._dunning_today()
    immediate = env.ref("account.account_payment_term_immediate")

    partners, invoices = {}, {}
    for name, email, lang, is_company, lines in CUSTOMERS:
        partner = env["res.partner"].create(
            {
                "name": name,
                "email": email,
                "lang": lang,
                "is_company": is_company,
                "property_payment_term_id": immediate.id,
            }
        )
        partners[name] = partner
        invoices[name] = env["account.move"]
        for days, amount, code in lines:
            invoices[name] |= _invoice(
                env, partner, today - timedelta(days=days), amount, currencies.get(code)
            )
    env["account.move"].browse(
        [inv.id for moves in invoices.values() for inv in moves]
    ).action_post()

    # Reminders go to Brightline's invoice contact, not to the company address.
    env["res.partner"].create(
        {
            "name": "Brightline Accounts Payable",
            "parent_id": partners["Brightline Studios"].id,
            "type": "invoice",
            "email": "ap@brightline.example.com",
        }
    )
    # Müller paid part of its invoice; Blue Yonder paid in full.
    _pay(env, invoices["Müller Maschinenbau GmbH"], amount=3000.0, date=today - timedelta(days=20))
    _pay(env, invoices["Blue Yonder Airlines"], date=today - timedelta(days=3))
    # Northwind disputed one invoice in the portal: it is left out until the dispute is
    # resolved, and its collector has a task to review it.
    invoices["Northwind Traders"][:1]._dunning_open_dispute(
        "Quality problem: delivered goods were damaged.", "customer portal"
    )
    # Fabrikam holds a credit note larger than its overdue invoice: nothing is sent.
    _invoice(
        env, partners["Fabrikam Inc."], today - timedelta(days=5), 500.0, None, "out_refund"
    ).action_post()

    for name, (street, zip_code, city, country) in ADDRESSES.items():
        partners[name].write(
            {"street": street, "zip": zip_code, "city": city, "country_id": env.ref(country).id}
        )
    for name, phone in PHONES.items():
        partners[name].phone = phone

    policy = env.ref("odoo_automated_dunning.dunning_policy_standard")
    policy.write({"active": True, "company_id": company.id})
    _set_channels(env, policy)
    # Key accounts are called first: Brightline gets a call task, then promises to pay.
    key_accounts = policy.copy(
        {"name": "Key accounts: call first", "sequence": 300, "active": True}
    )
    key_accounts.level_ids.sorted("sequence")[0].channel_ids = [
        Command.clear(),
        Command.create({"channel": "call", "sequence": 1}),
    ]
    key_accounts.responsible_id = env.ref("base.user_admin")
    partners["Brightline Studios"].with_company(company).dunning_policy_id = key_accounts
    # German business customers: the same levels under German law, the second one with a fee
    # and statutory interest (the first, default-causing reminder may not be charged).
    german = policy.copy(
        {
            "name": "German business customers",
            "sequence": 200,  # after the standard policy: only customers assigned to it
            "active": True,
            "rule_set_id": env.ref("odoo_automated_dunning.rule_set_de").id,
        }
    )
    german.level_ids.sorted("sequence")[1].write({"fee_amount": 5.0, "charge_interest": True})
    # Keeping rates current is the user's job; the seed ends on 1 January 2026, so today's
    # German reminder goes out without interest and a Dunning Manager is asked for the rate
    # of 1 July 2026 (see _enter_missing_rate, run after today's run).
    german_customer = partners["Müller Maschinenbau GmbH"]
    german_customer.write({"country_id": env.ref("base.de").id})
    german_customer.with_company(company).dunning_policy_id = german

    env["ir.mail_server"].create(
        {
            "name": "Demo SMTP sink",
            "smtp_host": smtp_host,
            "smtp_port": int(smtp_port),
            "smtp_encryption": "none",
            "sequence": 1,
        }
    )
    # Its run of two months ago reminds only its own customers: the book's invoices were not
    # due yet then.
    _template_experiment(env, company, today, immediate)

    # Letters are rendered by wkhtmltopdf, which fetches the report stylesheets from a running
    # Odoo: build them now and commit, or that server would wait on this transaction's locks.
    for bundle in ("web.report_assets_common", "web.report_assets_pdf"):
        env["ir.qweb"]._get_asset_bundle(bundle, js=False, autoprefix=True).css()
    env.cr.commit()

    runs = env["dunning.run"]
    for day in (today - timedelta(days=14), today):
        if day == today:
            _plans(env, company, partners, invoices, today)
        run_record = runs.create({"date": day, "company_id": company.id})
        run_record.action_run()
        runs |= run_record
        if day != today:
            _pay(env, invoices["Coho Winery"], date=day + timedelta(days=5))
    # Commit first: Odoo sends the runs' task notifications itself once the transaction is
    # committed (and deletes them), so the queue must not pick them up half-way through.
    env.cr.commit()
    env["mail.mail"].process_email_queue()
    # The collector called Brightline: it promises to pay within a week.
    call = runs[-1].communication_ids.filtered(lambda c: c.channel == "call")
    if call:
        wizard = env["dunning.call.outcome.wizard"].browse(call.action_call_outcome()["res_id"])
        wizard.write(
            {
                "outcome": "promise",
                "promise_amount": 1450.0,
                "promise_date": today + timedelta(days=7),
                "note": "Will pay by bank transfer next week.",
            }
        )
        wizard.action_confirm()
    _enter_missing_rate(env, partners["Müller Maschinenbau GmbH"], german)
    # Two customers answered today's reminder by email: read through the mail gateway.
    _customer_replies(env, runs[-1], today)
    # Atelier Lumière disputes its newer invoice in the portal (in French): out of dunning,
    # a note on the invoice and a task for its collector.
    disputed = invoices["Atelier Lumière SARL"].filtered(lambda move: move.amount_total == 640.0)
    french = disputed.with_context(lang="fr_FR")
    french._dunning_open_dispute(
        "Marchandise non reçue : 2 luminaires sur 5 manquent à la livraison.",
        source=french.env._("customer portal"),
        author=disputed.partner_id,
    )
    # With the automated-calls bridge: one call, Twilio played by a local stand-in.
    if "dunning.send.voice" in env:
        from odoo.addons.odoo_automated_dunning_voice.demo import voice_demo  # noqa: PLC0415

        voice_demo.run(env, env["ir.config_parameter"].get_param("report.url"))
    _sales_hold(env)
    # A year of paid invoices shows each customer's habits; the nightly job then computes
    # payment behaviour, risk scores and every open invoice's predicted payment date.
    _payment_history(env, partners, currencies, today)
    env["dunning.partner.behaviour"]._compute_for_company(company)
    return runs


EXPERIMENT_CUSTOMERS = 80


def _template_experiment(env, company, today, immediate):
    """A level with two template variants and two months of history: 80 customers reminded
    60 days ago, variant B's reminders paid more often and sooner, so Compare Variants names
    it the winner. Every invoice is paid by 25 days ago: none of them is reminded again."""
    control = env.ref("odoo_automated_dunning.mail_template_dunning_friendly")
    direct = control.copy(
        {
            "name": "Dunning: Friendly reminder (direct subject)",
            "subject": "Action needed: {{ object.partner_id.name }}, your invoice is overdue",
        }
    )
    policy = env.ref("odoo_automated_dunning.dunning_policy_standard").copy(
        {"name": "Template experiment", "sequence": 250, "active": True, "company_id": company.id}
    )
    level = policy.level_ids.sorted("sequence")[0]
    level.variant_ids = [
        Command.create({"name": "A", "mail_template_id": control.id, "weight": 1, "sequence": 1}),
        Command.create({"name": "B", "mail_template_id": direct.id, "weight": 1, "sequence": 2}),
    ]
    partners = env["res.partner"].create(
        [
            {
                "name": f"Sample Customer {index:02d}",
                "email": f"accounts@sample{index:02d}.example.com",
                "lang": "en_US",
                "is_company": True,
                "property_payment_term_id": immediate.id,
            }
            for index in range(1, EXPERIMENT_CUSTOMERS + 1)
        ]
    )
    partners.with_company(company).write({"dunning_policy_id": policy.id})
    day = today - timedelta(days=60)
    moves = env["account.move"]
    for index, partner in enumerate(partners):
        moves |= _invoice(env, partner, day - timedelta(days=10), 300.0 + 10 * index, None)
    moves.action_post()
    run_record = env["dunning.run"].create({"date": day, "company_id": company.id})
    run_record.action_run()
    reminders = run_record.communication_ids.filtered("variant_id")
    # They left two months ago: out of the queue now, before the payments that followed them.
    reminders.mail_id.send()
    paid = env["account.move"]
    for name, share, days in (("A", 0.35, 12), ("B", 0.7, 4)):
        arm = reminders.filtered(lambda c, name=name: c.variant_id.name == name)
        quick = arm[: round(len(arm) * share)].line_ids.move_id
        _pay(env, quick, date=day + timedelta(days=days))
        paid |= quick
    # The others paid late, after the 30 days the comparison measures.
    _pay(env, moves - paid, date=day + timedelta(days=35))


def _customer_replies(env, run, today):
    """Atelier Lumière promises to pay (in French, from a mail client that quotes the
    reminder) and Jane Doe says she paid (a bank transfer waits unreconciled): two real
    emails fed to Odoo's mail gateway as replies to today's reminders."""
    from email.message import EmailMessage  # noqa: PLC0415
    from email.policy import SMTPUTF8  # noqa: PLC0415

    def reminder_of(name):
        return run.communication_ids.filtered(
            lambda c: c.partner_id.name == name and c.channel == "email" and c.mail_message_id
        )[:1]

    lumiere = reminder_of("Atelier Lumière SARL")
    jane = reminder_of("Jane Doe")
    promised = today + timedelta(days=10)
    emails = []
    if lumiere:
        text = (
            f"Bonjour, nous paierons la facture {lumiere.line_ids.move_id[:1].name} le "
            f"{promised.strftime('%d/%m/%Y')}, soit 2 380,00 €, par virement. "
            "Cordialement, Claire Martin"
        )
        html = (
            f"<div dir='ltr'><p>{text}</p></div><div class='gmail_quote'>"
            f"<div class='gmail_attr'>Le {today.strftime('%d/%m/%Y')}, "
            f"{lumiere.company_id.name} a écrit :</div>"
            f"<blockquote class='gmail_quote'>{lumiere.body}</blockquote></div>"
        )
        emails.append((lumiere, "Claire Martin <compta@atelier-lumiere.example.fr>", text, html))
    if jane:
        text = (
            f"Hi, I already paid invoice {jane.line_ids.move_id[:1].name} by bank transfer "
            "last week. Jane"
        )
        emails.append((jane, "Jane Doe <jane.doe@example.com>", text, None))
        env["account.bank.statement.line"].create(
            {
                "journal_id": env["account.journal"]
                .search([("type", "=", "bank"), ("company_id", "=", run.company_id.id)], limit=1)
                .id,
                "date": today - timedelta(days=1),
                "payment_ref": "SEPA transfer J. DOE",
                "amount": jane.amount_total,
            }
        )
    for number, (reminder, sender, text, html) in enumerate(emails, start=1):
        message = EmailMessage(policy=SMTPUTF8)
        message["From"] = sender
        message["To"] = reminder.company_id.email or "billing@example.com"
        message["Subject"] = f"Re: {reminder.subject}"
        message["Message-Id"] = f"<demo-reply-{number}-{reminder.id}@customer.example.com>"
        message["In-Reply-To"] = reminder.mail_message_id.message_id
        message["References"] = reminder.mail_message_id.message_id
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
        env["mail.thread"].message_process(None, message.as_string())


def _sales_hold(env):
    """With the sales hold bridge (odoo_automated_dunning_sale): a quotation on credit hold."""
    if "hold_sales" not in env["dunning.level"]._fields:
        return
    from odoo.addons.odoo_automated_dunning_sale.demo import sale_demo  # noqa: PLC0415

    sale_demo.run(env)


def _sales_hold_summary(env):
    if "hold_sales" not in env["dunning.level"]._fields:
        return []
    from odoo.addons.odoo_automated_dunning_sale.demo import sale_demo  # noqa: PLC0415

    return sale_demo.summary(env)


# name: (days after the due date it usually pays, spread in days)
PAYMENT_HABITS = {
    "Initech": (-2, 1),  # prompt, a little early
    "Tailspin Toys": (35, 3),  # steady late
    "Atelier Lumière SARL": (20, 4),
    "Northwind Traders": (10, 2),
    "Woodgrove Bank": (15, 12),  # erratic
}


def _payment_history(env, partners, currencies, today):
    """Eight monthly invoices per customer of PAYMENT_HABITS over the last year, in its
    invoices' currency, each paid through the payment register at its habit (seeded, so every
    demo shows the same forecast). The Collection Forecast reads its dates from these."""
    rng = random.Random(15)
    codes = {name: lines[0][2] for name, _e, _l, _c, lines in CUSTOMERS}
    for name, (delay, spread) in PAYMENT_HABITS.items():
        for month in range(8):
            issued = today - timedelta(days=300 - 30 * month)
            invoice = _invoice(
                env, partners[name], issued, 400.0 + 100 * month, currencies.get(codes[name])
            )
            invoice.action_post()
            paid = issued + timedelta(days=delay + rng.randint(-spread, spread))
            _pay(env, invoice, date=min(paid, today - timedelta(days=1)))


def _enter_missing_rate(env, customer, policy):
    """As a Dunning Manager answers the missing-rate to-do: enter the rate (a marked demo
    value, not the Bundesbank's), close the to-do, and charge the interest on demand."""
    rates = env["dunning.reference.rate"]
    missing = env["mail.activity"].search(
        [("res_model", "=", "dunning.reference.rate"), ("res_id", "in", rates.search([]).ids)]
    )
    if not rates.search_count([("reference", "=", "de_base"), ("date", "=", "2026-07-01")]):
        rates.create(
            {
                "reference": "de_base",
                "date": "2026-07-01",
                "rate": 1.27,
                "note": "Demo value: replace with the rate the Bundesbank published",
            }
        )
    missing.action_feedback(feedback="Demo: rate entered, interest note issued.")
    wizard = env["dunning.interest.note.wizard"].create(
        {"partner_id": customer.id, "policy_id": policy.id}
    )
    if wizard.move_ids:
        wizard.action_confirm()


def _plans(env, company, partners, invoices, today):
    """An active plan (agreed by phone), a proposed one, and a portal login to accept it."""
    Plan = env["dunning.payment.plan"]
    active = Plan.create(
        Plan._prepare_from_invoices(
            invoices["Tailspin Toys"],
            installment_count=3,
            first_due_date=today + timedelta(days=7),
        )
    )
    active.action_activate()
    proposed = Plan.create(
        Plan._prepare_from_invoices(
            invoices["Atelier Lumière SARL"],
            down_payment=520.0,
            installment_count=4,
            first_due_date=today + timedelta(days=5),
        )
    )
    proposed.action_propose()
    env["res.users"].with_context(no_reset_password=True).create(
        {
            "name": "Claire Martin (Atelier Lumière)",
            "login": "lumiere",
            "password": "lumiere",
            "email": "claire@atelier-lumiere.example.fr",
            # A French customer's accountant reads the portal in French.
            "lang": "fr_FR",
            "tz": "Europe/Paris",
            "parent_id": partners["Atelier Lumière SARL"].id,
            "group_ids": [Command.set([env.ref("base.group_portal").id])],
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
        }
    )
    # Customers pay in the portal with Odoo's demo provider (test mode: no money moves).
    provider = env.ref("payment.payment_provider_demo", raise_if_not_found=False)
    if provider and "payment_demo" in env["ir.module.module"]._installed():
        provider.write({"state": "test", "is_published": True, "company_id": company.id})


def _set_channels(env, policy):
    """First reminder: email, else letter; second: email and SMS; last: email and letter."""
    first, second, last = policy.level_ids.sorted("sequence")
    first.channel_ids = [
        Command.clear(),
        Command.create({"channel": "email", "sequence": 1}),
        Command.create({"channel": "letter", "sequence": 2, "fallback": True}),
    ]
    second.write(
        {
            "sms_template_id": env.ref("odoo_automated_dunning.sms_template_dunning_persuasive").id,
            "channel_ids": [
                Command.clear(),
                Command.create({"channel": "email", "sequence": 1}),
                Command.create({"channel": "sms", "sequence": 2}),
            ],
        }
    )
    last.channel_ids = [
        Command.clear(),
        Command.create({"channel": "email", "sequence": 1}),
        Command.create({"channel": "letter", "sequence": 2}),
    ]


def _prepare_company(env, company):
    if not env["account.journal"].search_count(
        [("company_id", "=", company.id), ("type", "=", "sale")]
    ):
        env["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
    company.write(
        {
            "name": "Demo Trading Ltd",
            "email": "credit.control@demo-trading.example.com",
            "phone": "+1 555 0100",
            "street": "250 Harbor Drive",
            "city": "Stamford",
            "zip": "06902",
            "state_id": env.ref("base.state_us_7").id,
            "vat": "US12-3456789",
            "company_registry": "CT-0987654",
        }
    )
    company.partner_id.tz = "Europe/Brussels"
    # Letters say where to pay: a dollar account, and a euro IBAN for the EPC payment QR code.
    if not company.partner_id.bank_ids:
        bank = env["res.bank"].create({"name": "Demo Bank Europe", "bic": "GKCCBEBB"})
        env["res.partner.bank"].create(
            [
                {
                    "partner_id": company.partner_id.id,
                    "acc_number": "000123456789",
                    "currency_id": env.ref("base.USD").id,
                },
                {
                    "partner_id": company.partner_id.id,
                    "acc_number": "BE68539007547034",
                    "bank_id": bank.id,
                    "currency_id": env.ref("base.EUR").id,
                },
            ]
        )
    if not company.logo or company.uses_default_logo:
        company.logo = _logo("Demo Trading")
    # The demo runs at any hour and shows its mails at once: contact at any time. A real
    # company keeps the default 08:00-21:00 in each customer's timezone (Dunning Contact Rules).
    company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0})


def _logo(name):
    """A plain logo for the demo company, so letters and emails show one (PNG, base64)."""
    image = Image.new("RGB", (480, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 116, 116), radius=18, fill="#1f5f7a")
    try:
        big = ImageFont.truetype("DejaVuSans-Bold.ttf", 56)
        small = ImageFont.truetype("DejaVuSans-Bold.ttf", 40)
    except OSError:  # no DejaVu font on this machine: Pillow's own
        big = small = ImageFont.load_default()
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    draw.text((60, 60), initials, fill="white", font=big, anchor="mm")
    draw.text((140, 60), name, fill="#1f5f7a", font=small, anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue())


def _currencies(env, company):
    currencies = {}
    for code, rate in (("EUR", 0.92), ("GBP", 0.79)):
        currency = env["res.currency"].with_context(active_test=False).search([("name", "=", code)])
        if currency == company.currency_id:
            currencies[code] = currency
            continue
        currency.active = True
        if not currency.rate_ids.filtered(lambda r, c=company: r.company_id == c):
            env["res.currency.rate"].create(
                {
                    "currency_id": currency.id,
                    "rate": rate,
                    "name": "2020-01-01",
                    "company_id": company.id,
                }
            )
        currencies[code] = currency
    return currencies


def _invoice(env, partner, invoice_date, amount, currency, move_type="out_invoice"):
    return env["account.move"].create(
        {
            "move_type": move_type,
            "partner_id": partner.id,
            "invoice_date": invoice_date,
            "invoice_payment_term_id": env.ref("account.account_payment_term_immediate").id,
            **({"currency_id": currency.id} if currency else {}),
            "invoice_line_ids": [
                Command.create(
                    {"name": "Services", "quantity": 1, "price_unit": amount, "tax_ids": []}
                )
            ],
        }
    )


def _pay(env, invoices, amount=None, date=None):
    vals = {"payment_date": date}
    if amount is not None:
        vals["amount"] = amount
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=invoices.ids
    ).create(vals)._create_payments()


def summary(env, base_url):
    """What to look at in the demo and where, read back from the database: [(what, where)]."""
    # Menu paths as Odoo Community shows them (the app is *Accounting* where Odoo's
    # Accounting app is installed).
    dunning = "Invoicing > Customers > Dunning"
    Communication = env["dunning.communication"]
    # Queued messages leave with the mail and SMS queues; a refused one shows as failed.
    sent = [("state", "not in", ("draft", "skipped")), ("plan_id", "=", False)]
    lines = []
    runs = env["dunning.run"].search([], order="date, id")
    daily = runs.filtered(lambda run: not run.partner_ids)  # not "Send Reminder Now"
    if daily:
        what = (
            f"Dunning runs {' and '.join(daily.mapped('name'))}; today's reminded "
            f"{daily[-1].reminded_count} customers with {daily[-1].message_count} messages"
        )
        if runs - daily:
            what += f" ({', '.join((runs - daily).mapped('name'))}: Send Reminder Now)"
        lines.append((what, f"{dunning} > Dunning Runs"))
    letters = Communication.search(sent + [("channel", "=", "letter")])
    if letters:
        lines.append(
            (
                f"{len(letters)} letters (PDF) to {', '.join(letters.partner_id.mapped('name'))}",
                f"{dunning} > Dunning Runs > {letters[0].run_id.name} > Print Letters",
            )
        )
    states = dict(Communication._fields["state"]._description_selection(env))
    for sms in Communication.search(sent + [("channel", "=", "sms")]):
        lines.append(
            (
                f"SMS to {sms.partner_id.name} ({sms.recipient_address}): {states[sms.state]}"
                + (f", {sms.error_message}" if sms.error_message else ""),
                f"{dunning} > Reminders, channel SMS",
            )
        )
    for call in Communication.search(sent + [("channel", "=", "call")]):
        promise = call.promise_ids[:1]
        what = f"Call task for {call.partner_id.name}"
        if call.activity_id:
            what += f" (collector: {call.activity_id.user_id.name})"
        if promise:
            what += (
                f", promise to pay {promise.currency_id.format(promise.amount)}"
                f" by {promise.date_promised}"
            )
        lines.append((what, f"{dunning} > Promises to Pay; the customer's activities"))
    # Only with the automated-calls bridge (odoo_automated_dunning_voice).
    for voice in Communication.search(sent + [("channel", "=", "voice")]):
        lines.append(
            (
                f"Automated call to {voice.partner_id.name} ({voice.recipient_address}): "
                f"{voice.voice_outcome}, key {voice.voice_key_press} pressed",
                f"{dunning} > Reminders, channel Automated call, tab Call Transcript",
            )
        )
    charges = env["dunning.charge"].search([])
    if charges:
        lines.append(
            (
                f"Fee and statutory interest billed to {', '.join(charges.partner_id.mapped('name'))}",
                f"{dunning} > Fees and Interest",
            )
        )
    for plan in env["dunning.payment.plan"].search([], order="id"):
        state = dict(plan._fields["state"]._description_selection(env))[plan.state]
        lines.append(
            (
                f"Payment plan {plan.name} of {plan.partner_id.name}: {state}",
                f"{dunning} > Payment Plans",
            )
        )
    disputed = env["account.move"].search([("dunning_dispute", "=", True)])
    if disputed:
        lines.append(
            (
                f"Disputed invoice {', '.join(disputed.mapped('name'))} of "
                f"{', '.join(disputed.partner_id.mapped('name'))}",
                f"{dunning} > Overdue Invoices (in orange), or filter Disputed",
            )
        )
    experiment = env["dunning.level.variant"].search([], limit=1).level_id
    if experiment:
        verdict = env["dunning.variant.comparison"].browse(
            experiment.action_compare_variants()["res_id"]
        )
        lines.append(
            (
                f"Template experiment on {experiment.display_name}: {verdict.conclusion}",
                "Invoicing > Configuration > Dunning > Dunning Policies > Template experiment > "
                "First reminder > Compare Variants",
            )
        )
    for row in env["dunning.effectiveness.report"].search(
        [("days_to_pay", "!=", False), ("variant_id", "=", False)]
    ):
        lines.append(
            (
                f"{row.partner_id.name} paid {row.days_to_pay:.0f} days after its reminder",
                "Invoicing > Reporting > Dunning > Reminder Effectiveness (and Dunning KPIs)",
            )
        )
    kinds = dict(env["dunning.reply"]._fields["kind"]._description_selection(env))
    for reply in env["dunning.reply"].search([], order="id"):
        what = f"{reply.partner_id.name} replied to a reminder: {kinds[reply.kind]}"
        if reply.promised_date:
            what += f" by {reply.promised_date}"
        lines.append((what, f"{dunning} > Customer Replies"))
    predicted = env["account.move"].search(
        [("dunning_predicted_date", "!=", False)], order="dunning_predicted_date"
    )
    if predicted:
        lines.append(
            (
                f"Predicted payment dates of {len(predicted)} open invoices, from "
                f"{predicted[0].dunning_predicted_date} to {predicted[-1].dunning_predicted_date}",
                "Invoicing > Reporting > Dunning > Collection Forecast; the invoice's Dunning tab",
            )
        )
    lines += _sales_hold_summary(env)
    lines.append(
        (
            "KPIs, delinquency, effectiveness, plans and payment behaviour",
            "Invoicing > Reporting > Dunning",
        )
    )
    portal = env["res.users"].search([("login", "=", "lumiere")])
    if portal:
        lines.append(
            (
                "The customer portal in French: log in as lumiere / lumiere "
                f"(a contact of {portal.partner_id.commercial_partner_id.name})",
                f"{base_url}/my/dunning",
            )
        )
    return lines
