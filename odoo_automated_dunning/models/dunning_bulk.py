"""Writing a large run's reminders and lines: one INSERT per table and batch, then what the
ORM's create does after its own INSERT, so the records behave as if created through it.

The ORM's ``create`` spends most of a large run's time per value, not in the database: it
fills the defaults record by record, rounds each monetary amount through a record of its
currency and fills the cache with every value. The run's values are known to be clean (ids,
dates, amounts read from the invoices' own rounded residuals), so they go to PostgreSQL as
they are; what keeps the ORM's invariants is done by the ORM itself on the whole set:

- defaults: ``default_get`` once for the fields no row gives (the same for every row);
- log columns: ``create_uid``/``write_uid`` and ``create_date``/``write_date`` as the ORM
  writes them (the transaction's time), on models that have them;
- SQL constraints (required columns, foreign keys, unique run/customer/channel) are checked
  by PostgreSQL on the INSERT;
- stored computed fields of the new rows and of the records depending on them (the run's
  counters) are marked for recomputation by ``modified(..., create=True)``, as ``create``
  marks them, and computed at the next flush; a precomputed field (``precompute=True``, the
  reminder's decision) may be given in the rows instead: as ``create`` does with such a
  value, it goes into the INSERT and is protected from that recomputation;
- Python constraints: ``_validate_fields`` on the written fields;
- the cache: the one2many fields that list the new rows (a run's reminders, an invoice's
  reminder lines) are invalidated, so they are read again with the new rows;
- access: the caller's right to create is checked as ``create`` checks it.
"""

import math

from odoo.tools import SQL, float_repr, float_round, split_every
from odoo.tools.float_utils import float_invert

# Rows per INSERT statement, as the ORM batches its own.
INSERT_ROWS = 1000


def insert_rows(model, vals_list):
    """Create records of ``model`` from ``vals_list`` (column values: ids, not records) in
    one INSERT per ``INSERT_ROWS`` rows; return the new records, in order."""
    if not vals_list:
        return model.browse()
    model = model.browse()
    model.check_access("create")
    given = {name for vals in vals_list for name in vals}
    fields_ = model._fields
    # The currency of an amount whose currency field is read through another record (a
    # reminder line's, through its invoice) may be given beside it to round it by: it is
    # not written.
    given -= {
        fields_[name].get_currency_field(model)
        for name in given
        if fields_[name].type == "monetary"
        and not fields_[fields_[name].get_currency_field(model)].store
    }
    for name in given:
        field = fields_[name]
        # A computed field only when precomputed: create takes its value as given then.
        computed = field.compute and not field.precompute
        if not (field.store and field.column_type) or computed or field.inherited:
            raise ValueError(f"{model._name}.{name} cannot be written by insert_rows")
    defaults = {
        name: value
        for name, value in model.default_get(
            [
                name
                for name, field in fields_.items()
                if field.store and field.column_type and name not in given
            ]
        ).items()
        if name in fields_ and fields_[name].column_type and not fields_[name].compute
    }
    columns = sorted(given | set(defaults))
    cr = model.env.cr
    now, uid = cr.now(), model.env.uid
    log_columns = ("create_uid", "write_uid", "create_date", "write_date")
    if not model._log_access:
        log_columns = ()
    head = "INSERT INTO {} ({}) VALUES ".format(
        SQL.identifier(model._table).code,
        ", ".join(SQL.identifier(name).code for name in (*columns, *log_columns)),
    )
    row_mark = "({})".format(", ".join(["%s"] * (len(columns) + len(log_columns))))
    converters = [_converter(model, fields_[name]) for name in columns]
    ids = []
    for chunk in split_every(INSERT_ROWS, vals_list):
        params = []
        for vals in chunk:
            for name, convert in zip(columns, converters, strict=True):
                value = vals.get(name, defaults.get(name))
                params.append(None if value is None else convert(value, vals))
            if log_columns:
                params += (uid, uid, now, now)
        cr.execute(head + ", ".join([row_mark] * len(chunk)) + " RETURNING id", params)
        ids += [row[0] for row in cr.fetchall()]
    records = model.browse(ids)
    for name in columns:
        field = fields_[name]
        if field.type == "many2one" and model.pool.field_inverses[field]:
            # Marking what depends on the one2many listing the new rows (a run's counters on
            # its reminders) reads this field of each row: from the cache, as create leaves
            # it, rather than a fetch of every column of the rows.
            for record, vals in zip(records, vals_list, strict=True):
                value = vals.get(name, defaults.get(name))
                field._update_cache(record, field.convert_to_cache(value, record, validate=False))
    written = [*columns, *log_columns]
    # Precomputed fields given are protected from recomputation, as create protects them.
    given_computed = [fields_[name] for name in columns if fields_[name].compute]
    with model.env.protecting(given_computed, records):
        records.modified(written, create=True)
    for name in columns:
        field = fields_[name]
        if field.type == "many2one":
            inverses = [f.name for f in model.pool.field_inverses[field]]
            if inverses:
                model.env[field.comodel_name].invalidate_model(inverses, flush=False)
    records._validate_fields(columns)
    return records


def _converter(model, field):
    """A function (value, row) -> the value as its column takes it, as the ORM writes it:
    False as NULL (0 for numbers), records as ids, amounts rounded to their currency."""
    kind = field.type
    if kind == "monetary":
        # The currency of a row's amount: its currency field, or the record that currency is
        # related to (the company of a company-currency amount). Each currency's rounding
        # function is built once.
        name = field.get_currency_field(model)
        key_name = name
        if model._fields[name].related:
            key_name = model._fields[name].related.split(".")[0]
        rounders = {}

        def monetary(value, vals):
            key = (name, vals[name]) if name in vals else (key_name, vals.get(key_name))
            if key not in rounders:
                rounders[key] = _rounder(model, name, key)
            return rounders[key](float(value or 0.0))

        return monetary
    if kind == "float":
        return lambda value, vals: float(value or 0.0)
    if kind == "integer":
        return lambda value, vals: int(value or 0)
    if kind == "boolean":
        return lambda value, vals: bool(value)
    if kind == "many2one":
        return lambda value, vals: (value.id if hasattr(value, "_name") else value) or None
    return lambda value, vals: value or None


def _rounder(model, name, key):
    """float -> its column text in the currency named by ``key`` (the currency field's value,
    or the record it is related to), as ``Monetary.convert_to_column`` writes it:
    ``float_repr(float_round(value, precision_rounding=rounding), decimal places)``; the
    value as it is without currency.

    That is half a large run's own time when done for every amount. The amounts written are
    sums of amounts already rounded, so they lie next to a multiple of the rounding: there
    ``float_round`` returns that multiple (its epsilon cannot move a value that is not near
    a tie), computed here with the same arithmetic (the value times the inverted rounding,
    rounded, divided by it) and printed as ``float_repr`` prints a non-zero value. Values
    near a tie, zero, and roundings of 1 or more go through Odoo's functions themselves.
    ``TestDunningBulkRounding`` checks both give the same text.
    """
    if key[0] == name:
        currency = model.env["res.currency"].browse(key[1] or ())
    else:
        currency = model.new({key[0]: key[1]})[name]
    if not currency:
        return lambda value: value
    rounding, digits = currency.rounding, currency.decimal_places

    def exact(value):
        return float_repr(float_round(value, precision_rounding=rounding), digits)

    if rounding >= 1:
        return exact
    inverse = float_invert(rounding)

    def fast(value):
        scaled = value * inverse
        nearest = round(scaled)
        if nearest and abs(scaled - nearest) < 0.25 and abs(scaled) < 2**40:
            return f"{math.copysign(nearest, scaled) / inverse:.{digits}f}"
        return exact(value)

    return fast
