"""Screens people wait for: the web client's JSON-RPC calls, timed against a running server.

Two halves in one file:

- inside Odoo (``odoo shell < bench/screens.py``, committed): the setup. Runs the nightly
  behaviour job (scores and ``account.move.dunning_predicted_date``), makes one customer hold
  1,000 open overdue invoices (copied invoices of other customers reassigned to it in SQL:
  ``account_move.partner_id`` / ``commercial_partner_id`` and their lines' ``partner_id``),
  gives it a portal user, sets the admin password, leaves a draft run for the preview, and
  builds every call exactly as the web client would from the actions and their views
  (default filters and groupings of the action's context, the pivot/graph/list/form arch).
  Prints ``BENCH {json}`` with the calls.
- outside Odoo (``python3 bench/screens.py --port P --plan plan.json``): logs in over HTTP and
  times each call: one warm-up, then the median of 3 wall times on loopback (about the
  server's time: the client only sends and parses JSON). Prints ``BENCH {json}``.
"""

import json
import os
import statistics
import sys
import time

ADMIN_PASSWORD = "bench-admin"  # noqa: S105 - a throw-away benchmark database
PORTAL_LOGIN = "bench-portal@example.com"
PORTAL_PASSWORD = "bench-portal"  # noqa: S105
BIG = 1000  # open overdue invoices of the big customer
LIST_LIMIT = 80
SUBLIST_LIMIT = 40

# ------------------------------------------------------------------------------------------
# Inside Odoo: setup and the calls
# ------------------------------------------------------------------------------------------


def say(message):
    print(f"[screens] {message}", flush=True)  # noqa: T201


def ensure_run(env):
    """The phase follows the kill-and-resume phase's committed run; alone (--only) it makes one."""
    from odoo import fields  # noqa: PLC0415

    Run = env["dunning.run"]
    if Run.search_count([("state", "=", "done")]):
        return
    company = env.company
    company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0})
    policy = env.ref("odoo_automated_dunning.dunning_policy_standard")
    policy.write({"active": True, "company_id": company.id})
    env["ir.config_parameter"].set_param("odoo_automated_dunning.sync_customer_limit", 10**9)
    run = Run.create({"date": fields.Date.today(), "company_id": company.id, "prepare_only": True})
    started = time.perf_counter()
    run.action_run()
    env.cr.commit()
    say(f"no committed run yet: a prepare-only run made ({time.perf_counter() - started:.1f} s)")


def big_customer(env):
    """The customer with the most open overdue invoices, topped up to BIG by reassignment."""
    today = env.company._dunning_today()
    cr = env.cr
    open_sql = """
        SELECT m.id FROM account_move m
         WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
           AND m.payment_state IN ('not_paid', 'partial') AND m.invoice_date_due < %s
    """
    cr.execute(
        open_sql.replace("SELECT m.id", "SELECT m.commercial_partner_id, count(*)")
        + " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
        (today,),
    )
    partner_id, count = cr.fetchone()
    if count < BIG:
        cr.execute(
            open_sql + " AND m.commercial_partner_id != %s ORDER BY m.id DESC LIMIT %s",
            (today, partner_id, BIG - count),
        )
        move_ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            "UPDATE account_move SET partner_id = %s, commercial_partner_id = %s "
            "WHERE id = ANY(%s)",
            (partner_id, partner_id, move_ids),
        )
        cr.execute(
            "UPDATE account_move_line SET partner_id = %s WHERE move_id = ANY(%s)",
            (partner_id, move_ids),
        )
        env.invalidate_all()
        say(f"customer {partner_id}: {count} open overdue invoices + {len(move_ids)} reassigned")
    return env["res.partner"].browse(partner_id)


def typical_customer(env, big):
    env.cr.execute(
        "SELECT commercial_partner_id FROM account_move WHERE move_type = 'out_invoice' "
        "AND state = 'posted' AND commercial_partner_id != %s GROUP BY 1 "
        "HAVING count(*) BETWEEN 4 AND 8 ORDER BY 1 LIMIT 1",
        (big.id,),
    )
    return env["res.partner"].browse(env.cr.fetchone()[0])


def setup(env):
    from odoo import Command, fields  # noqa: PLC0415

    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    ensure_run(env)
    started = time.perf_counter()
    env["dunning.partner.behaviour"]._cron_compute()
    env.cr.commit()
    say(f"behaviour job: {time.perf_counter() - started:.1f} s")
    big = big_customer(env)
    typical = typical_customer(env, big)
    admin = env.ref("base.user_admin")
    admin.password = ADMIN_PASSWORD
    portal = env["res.users"].with_context(active_test=False).search([("login", "=", PORTAL_LOGIN)])
    if not portal:
        portal = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Bench Portal",
                    "login": PORTAL_LOGIN,
                    "email": PORTAL_LOGIN,
                    "partner_id": env["res.partner"]
                    .create({"name": "Bench Portal", "parent_id": big.id, "type": "contact"})
                    .id,
                    "group_ids": [Command.set([env.ref("base.group_portal").id])],
                }
            )
        )
    portal.write({"active": True, "password": PORTAL_PASSWORD})
    run = env["dunning.run"].search([("state", "=", "draft")], limit=1) or env[
        "dunning.run"
    ].create({"date": fields.Date.today(), "company_id": env.company.id})
    env.cr.commit()
    invoice_typical = env["account.move"].search(
        [("commercial_partner_id", "=", typical.id), ("move_type", "=", "out_invoice")], limit=1
    )
    invoice_big = env["account.move"].search(
        [("commercial_partner_id", "=", big.id), ("move_type", "=", "out_invoice")], limit=1
    )
    calls = build_calls(env, big, typical, invoice_big, invoice_typical, run)
    print(  # noqa: T201
        "BENCH "
        + json.dumps(
            {
                "admin": admin.login,
                "big_customer": big.id,
                "big_open": len(env["dunning.facts"]._overdue_invoices(big)),
                "typical_customer": typical.id,
                "company_id": env.company.id,
                "calls": calls,
            }
        ),
        flush=True,
    )


def eval_context(env):
    from odoo.tools.safe_eval import (  # noqa: PLC0415
        datetime,
        dateutil,
        time as safe_time,
    )

    return {
        "uid": env.uid,
        "user": env.user,
        "time": safe_time,
        "datetime": datetime,
        "relativedelta": dateutil.relativedelta.relativedelta,
        "context_today": datetime.date.today,
        "allowed_company_ids": env.companies.ids,
        "active_id": False,
        "active_ids": [],
    }


def our_field_names(env, model):
    """Fields our addons add to a model of Odoo's (to leave them out of the reference): those
    only our addons register (every inheriting addon registers display_name and id too)."""
    env.cr.execute(
        "SELECT f.name FROM ir_model_fields f JOIN ir_model_data d "
        "ON d.model = 'ir.model.fields' AND d.res_id = f.id "
        "WHERE f.model = %s GROUP BY f.name "
        "HAVING bool_and(d.module LIKE 'odoo_automated_dunning%%')",
        (model,),
    )
    return {row[0] for row in env.cr.fetchall()}


def action_views(env, xmlid, view_types):
    """(action, model, context, domain, groupby, {type: arch etree}, fields)."""
    from lxml import etree  # noqa: PLC0415

    from odoo.tools.safe_eval import safe_eval  # noqa: PLC0415

    action = env.ref(xmlid).sudo()
    ctx = safe_eval(action.context or "{}", eval_context(env))
    domain = safe_eval(action.domain or "[]", eval_context(env))
    wanted = []
    for kind in view_types:
        view = action.view_ids.filtered(lambda v, kind=kind: v.view_mode == kind)[:1]
        view_id = (
            view.view_id.id
            if view
            else (action.view_id.id if action.view_id.type == kind else False)
        )
        wanted.append([view_id or False, kind])
    wanted.append([action.search_view_id.id or False, "search"])
    Model = env[action.res_model]
    result = Model.get_views(wanted, {"action_id": action.id})
    archs = {kind: etree.fromstring(result["views"][kind]["arch"]) for kind in result["views"]}
    fields_info = result["models"][action.res_model]["fields"]
    groupby = []
    # search_default_*: the filters the action opens with (AND of them: every default here is
    # alone in its group).
    for key, value in ctx.items():
        if not key.startswith("search_default_") or not value:
            continue
        name = key[len("search_default_") :]
        node = archs["search"].find(f".//filter[@name='{name}']")
        if node is not None:
            if node.get("domain"):
                domain = domain + safe_eval(node.get("domain"), eval_context(env))
            if node.get("context"):
                group = safe_eval(node.get("context"), eval_context(env)).get("group_by")
                if group:
                    groupby.append(group)
            continue
        node = archs["search"].find(f".//field[@name='{name}']")
        if node is not None:
            if node.get("filter_domain"):
                domain = domain + safe_eval(
                    node.get("filter_domain"), {**eval_context(env), "self": value}
                )
            else:
                domain = domain + [(name, "=", value)]
    web_ctx = {
        k: v for k, v in ctx.items() if not k.startswith("search_default_") and k != "group_by"
    }
    return action, action.res_model, web_ctx, domain, groupby, archs, fields_info


def groupby_spec(node, fields_info):
    name = node.get("name")
    if fields_info[name]["type"] in ("date", "datetime"):
        return f"{name}:{node.get('interval') or 'month'}"
    return name


def measure_specs(names, fields_info, pivot=True):
    specs = []
    for name in names:
        if name == "__count":
            specs.append(name)
            continue
        info = fields_info[name]
        aggregator = "count_distinct" if info["type"] == "many2one" else info.get("aggregator")
        specs.append(f"{name}:{aggregator}")
        if info.get("currency_field"):
            specs += [f"{info['currency_field']}:array_agg_distinct", f"{name}:sum_currency"]
    if pivot and "__count" not in specs:
        specs.append("__count")
    return specs


def pivot_call(env, xmlid, label, rows=None, cols=None):
    _action, model, ctx, domain, groupby, archs, fields_info = action_views(env, xmlid, ["pivot"])
    arch = archs["pivot"]
    measures = ctx.get("pivot_measures") or [
        n.get("name") for n in arch.findall("field") if n.get("type") == "measure"
    ]
    if rows is None:
        rows = (
            ctx.get("pivot_row_groupby")
            or groupby
            or [
                groupby_spec(n, fields_info)
                for n in arch.findall("field")
                if n.get("type") == "row"
            ]
        )
    if cols is None:
        cols = ctx.get("pivot_column_groupby") or [
            groupby_spec(n, fields_info) for n in arch.findall("field") if n.get("type") == "col"
        ]
    # The first load asks every (row prefix x column prefix) at once.
    sets = []
    for i in range(len(rows) + 1):
        for j in range(len(cols) + 1):
            sets.append(rows[:i] + cols[:j])
    return {
        "label": label,
        "kind": "pivot",
        "model": model,
        "method": "formatted_read_grouping_sets",
        "args": [domain, sets, measure_specs(measures, fields_info)],
        "kwargs": {"context": ctx},
    }


def graph_call(env, xmlid, label):
    _action, model, ctx, domain, groupby, archs, fields_info = action_views(env, xmlid, ["graph"])
    arch = archs["graph"]
    groups = (
        ctx.get("graph_groupbys")
        or groupby
        or [
            groupby_spec(n, fields_info)
            for n in arch.findall("field")
            if n.get("type") != "measure"
        ]
    )
    measure = ctx.get("graph_measure") or next(
        (n.get("name") for n in arch.findall("field") if n.get("type") == "measure"), "__count"
    )
    aggregates = ["__count"] + [
        m for m in measure_specs([measure], fields_info, False) if m != "__count"
    ]
    return {
        "label": label,
        "kind": "pivot",
        "model": model,
        "method": "formatted_read_group",
        "args": [domain, groups, aggregates],
        "kwargs": {"context": {"fill_temporal": True, **ctx}},
    }


def node_spec(node, fields_info, env, drop):
    """The web client's specification of one <field> node."""
    name = node.get("name")
    info = fields_info.get(name) or {}
    kind = info.get("type")
    if kind == "many2one":
        return {"fields": {"display_name": {}}}
    if kind in ("one2many", "many2many"):
        sub = node.find("list")
        if sub is None or node.get("widget") in ("many2many_tags", "many2many_checkboxes"):
            return {"fields": {"display_name": {}}}
        comodel = info["relation"]
        subfields = env[comodel].fields_get(attributes=["type", "relation"])
        return {"fields": arch_spec(sub, subfields, env, comodel, drop), "limit": SUBLIST_LIMIT}
    return {}


def arch_spec(arch, fields_info, env, model, drop):
    """Every <field> of a list or form arch (not those of its sub-views, which belong to the
    comodel), less the ``drop`` ones: {model: names}."""
    spec = {}

    def walk(element):
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "field":
                name = child.get("name")
                if name not in drop.get(model, ()):
                    spec[name] = node_spec(child, fields_info, env, drop)
                continue
            walk(child)

    walk(arch)
    return spec


def view_call(env, label, kind, action=None, record=None, drop=None):
    """What the web client calls to open a list (``action``'s list view: its first page and
    the count) or a form (``record``'s form view), from the view's arch; ``drop``, {model:
    field names}, leaves fields out, in sub-lists too (the reference rows)."""
    from lxml import etree  # noqa: PLC0415

    drop = drop or {}
    if action:
        _action, model, ctx, domain, _groupby, archs, fields_info = action_views(
            env, action, ["list"]
        )
        arch = archs["list"]
    else:
        model = record._name
        result = env[model].get_views([[False, "form"]])
        arch = etree.fromstring(result["views"]["form"]["arch"])
        fields_info = result["models"][model]["fields"]
    spec = arch_spec(arch, fields_info, env, model, drop)
    call = {"label": label, "kind": kind, "model": model}
    if not action:
        spec = {"display_name": {}, **spec}
        return {
            **call,
            "method": "web_read",
            "args": [record.ids, spec],
            "kwargs": {"context": {"bin_size": True}},
        }
    return {
        **call,
        "method": "web_search_read",
        "args": [],
        "kwargs": {
            "domain": domain,
            "specification": spec,
            "offset": 0,
            "limit": LIST_LIMIT,
            "order": arch.get("default_order") or "",
            "count_limit": 10001,
            "context": ctx,
        },
    }


def build_calls(env, big, typical, invoice_big, invoice_typical, run):
    overdue = env["dunning.facts"]._overdue_invoices(big)
    # The pay page takes at most 500 invoices (core.inputs.MAX_IDS: bounded work).
    pay_ids = overdue.filtered(lambda m: m.currency_id == overdue[:1].currency_id).ids[:500]
    ours = {
        model: our_field_names(env, model)
        for model in ("res.partner", "account.move", "account.move.line")
    }
    customers = "account.res_partner_action_customer"
    invoices = "account.action_move_out_invoice_type"
    delinquency = "odoo_automated_dunning.dunning_delinquency_report_action"
    default = pivot_call(env, delinquency, "delinquency pivot (default)")
    default["label"] = f"delinquency pivot by {' x '.join(default['args'][1][-1])} (default)"
    # Group By > Customer: a click away, not the opening (no target: "on demand").
    by_customer = pivot_call(
        env, delinquency, "delinquency pivot by customer x bucket (on demand)", ["partner_id"]
    )
    by_customer["kind"] = "ondemand"
    calls = [default, by_customer, graph_call(env, delinquency, "delinquency graph (default)")]
    for name, label in (
        ("effectiveness", "effectiveness"),
        ("plan", "payment plans"),
        ("forecast", "forecast"),
    ):
        xmlid = f"odoo_automated_dunning.dunning_{name}_report_action"
        if env.ref(xmlid, raise_if_not_found=False):
            calls.append(pivot_call(env, xmlid, f"{label} pivot (default)"))
            calls.append(graph_call(env, xmlid, f"{label} graph (default)"))
    calls += [
        view_call(env, "worklist", "list", "odoo_automated_dunning.dunning_worklist_action"),
        view_call(env, "customers list with our columns", "list", customers),
        view_call(env, "invoices list with our columns", "list", invoices),
        view_call(
            env, "reminders list", "list", "odoo_automated_dunning.dunning_communication_action"
        ),
        view_call(env, f"customer form, {BIG} invoices", "form", record=big),
        view_call(env, "customer form, typical", "form", record=typical),
        view_call(env, f"invoice form (customer of {BIG})", "form", record=invoice_big),
        view_call(env, "invoice form, typical", "form", record=invoice_typical),
        {
            "label": "run preview (button)",
            "kind": "button",
            "model": "dunning.run",
            "method": "action_preview",
            "args": [run.ids],
            "kwargs": {},
            "then": "preview_form",
        },
        {
            "label": f"portal payments page ({BIG} open invoices)",
            "kind": "portal",
            "path": "/my/dunning",
        },
        {
            # The pay page takes one currency: the big customer's invoices in the first.
            # (redirected to the payments page otherwise, which the size would show).
            "label": f"portal pay page ({len(pay_ids)} of them, one currency)",
            "kind": "portal",
            "path": "/my/dunning/pay?" + "&".join(f"invoice_ids={i}" for i in pay_ids),
        },
        # The reference: Odoo's own receivable screens on the same book.
        {
            "label": "REF journal items pivot: partner x amount_residual, open receivables",
            "kind": "ref",
            "model": "account.move.line",
            "method": "formatted_read_grouping_sets",
            "args": [
                [
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                ],
                [[], ["partner_id"]],
                [
                    "amount_residual:sum",
                    "company_currency_id:array_agg_distinct",
                    "amount_residual:sum_currency",
                    "__count",
                ],
            ],
            "kwargs": {"context": {}},
        },
        view_call(env, "REF customers list, Odoo's columns only", "ref", customers, drop=ours),
        view_call(env, "REF invoices list, Odoo's columns only", "ref", invoices, drop=ours),
        view_call(env, "REF customer form, Odoo's fields only", "ref", record=typical, drop=ours),
        view_call(
            env, "REF invoice form, Odoo's fields only", "ref", record=invoice_typical, drop=ours
        ),
    ]
    return json.loads(json.dumps(calls, default=list))


# ------------------------------------------------------------------------------------------
# Outside Odoo: the timing client
# ------------------------------------------------------------------------------------------


class Client:
    def __init__(self, port, timeout):
        import http.cookiejar  # noqa: PLC0415
        import urllib.request  # noqa: PLC0415

        self.base = f"http://127.0.0.1:{port}"
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.context = {}

    def post(self, path, params):
        import urllib.request  # noqa: PLC0415

        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.base + path, body.encode(), {"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=self.timeout) as response:
            answer = json.loads(response.read())
        if "error" in answer:
            error = answer["error"].get("data", {}).get("message") or answer["error"]
            raise RuntimeError(f"{path}: {error}")
        return answer["result"]

    def get(self, path):
        with self.opener.open(self.base + path, timeout=self.timeout) as response:
            return response.status, len(response.read())

    def login(self, db, login, password):
        result = self.post(
            "/web/session/authenticate", {"db": db, "login": login, "password": password}
        )
        ctx = result.get("user_context") or {}
        self.context = {"lang": ctx.get("lang", "en_US"), "tz": ctx.get("tz") or "UTC"}
        self.context["uid"] = result.get("uid")
        companies = (result.get("user_companies") or {}).get("current_company")
        if companies:
            self.context["allowed_company_ids"] = [companies]
        return result

    def call_kw(self, model, method, args, kwargs, button=False):
        kwargs = dict(kwargs)
        kwargs["context"] = {**self.context, **kwargs.get("context", {})}
        path = "call_button" if button else "call_kw"
        return self.post(
            f"/web/dataset/{path}/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )


def timed(function, repeat=3):
    started = time.perf_counter()
    function()  # warm-up
    if time.perf_counter() - started > 10:
        repeat = 1  # a call this slow: one measure (the table says "1 run")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return round(1000 * statistics.median(times)), result


def measure(port, db, plan, timeout):
    client = Client(port, timeout)
    client.login(db, plan["admin"], ADMIN_PASSWORD)
    rows = []
    # The buttons last (they write: the preview's lines), the portal pages before them.
    calls = [c for c in plan["calls"] if c["kind"] not in ("portal", "button")]
    calls += [c for c in plan["calls"] if c["kind"] == "portal"]
    calls += [c for c in plan["calls"] if c["kind"] == "button"]
    for call in calls:
        row = {"label": call["label"], "kind": call["kind"]}
        try:
            if call["kind"] == "portal":
                row.update(portal_row(port, db, call, timeout))
                rows.append(row)
                continue
            button = call["kind"] == "button"

            def once(call=call, button=button):
                return client.call_kw(
                    call["model"], call["method"], call["args"], call["kwargs"], button=button
                )

            row["ms"], result = timed(once)
            if call["method"] == "web_search_read":
                row["rows"] = len(result["records"])
                row["count"] = result["length"]
            elif call["method"] in ("formatted_read_group",):
                row["groups"] = len(result)
            elif call["method"] == "formatted_read_grouping_sets":
                row["groups"] = sum(len(s) for s in result)
            if call.get("then") == "preview_form":
                # What the button opens: the preview's form with its lines.
                res_id = result["res_id"]
                fields = client.call_kw(
                    "dunning.run.preview", "fields_get", [], {"attributes": ["type"]}
                )
                spec = {
                    name: {"fields": {"display_name": {}}, "limit": SUBLIST_LIMIT}
                    if info["type"] in ("one2many", "many2many")
                    else ({"fields": {"display_name": {}}} if info["type"] == "many2one" else {})
                    for name, info in fields.items()
                    if info["type"] not in ("binary",)
                }
                spec = {"line_ids": spec.pop("line_ids", {}), "run_id": spec.get("run_id", {})}
                line_fields = client.call_kw(
                    "dunning.run.preview.line", "fields_get", [], {"attributes": ["type"]}
                )
                spec["line_ids"] = {
                    "fields": {
                        name: {"fields": {"display_name": {}}} if info["type"] == "many2one" else {}
                        for name, info in line_fields.items()
                        if info["type"] not in ("one2many", "many2many", "binary")
                    },
                    "limit": LIST_LIMIT,  # the preview's list shows a page of 80 customers
                }
                ms, preview = timed(
                    lambda res_id=res_id, spec=spec: client.call_kw(
                        "dunning.run.preview", "web_read", [[res_id], spec], {}
                    )
                )
                rows.append(row)
                rows.append(
                    {
                        "label": "run preview: its form with the lines",
                        "kind": "form",
                        "ms": ms,
                        "rows": len(preview[0].get("line_ids", [])),
                    }
                )
                # Its Next button: the following page of customers (each call one page on).
                ms, _page = timed(
                    lambda res_id=res_id: client.call_kw(
                        "dunning.run.preview", "action_next_page", [[res_id]], {}, button=True
                    )
                )
                row = {"label": "run preview: next page (button)", "kind": "button", "ms": ms}
        except Exception as error:  # noqa: BLE001 - reported, the other calls go on
            row["error"] = str(error)[:300]
        rows.append(row)
    return rows


def portal_row(port, db, call, timeout):
    portal = Client(port, timeout)
    portal.login(db, PORTAL_LOGIN, PORTAL_PASSWORD)
    ms, (status, size) = timed(lambda: portal.get(call["path"]))
    return {"ms": ms, "status": status, "kb": round(size / 1024)}


def main(argv):
    import argparse  # noqa: PLC0415

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--plan", required=True)
    parser.add_argument("--timeout", type=float, default=120)
    options = parser.parse_args(argv)
    plan = json.loads(open(options.plan, encoding="utf-8").read())  # noqa: SIM115
    load = os.getloadavg()[0]
    rows = measure(options.port, options.db, plan, options.timeout)
    print(  # noqa: T201
        "BENCH "
        + json.dumps(
            {
                "calls": rows,
                "big_open": plan["big_open"],
                "load": [round(load, 1), round(os.getloadavg()[0], 1)],
            }
        ),
        flush=True,
    )
    return 0


if "env" in globals():
    setup(env)  # noqa: F821 - provided by odoo shell
elif __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
