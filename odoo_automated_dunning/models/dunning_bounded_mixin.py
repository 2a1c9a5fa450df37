from odoo import api, models
from odoo.exceptions import ValidationError

from ..core import inputs


class DunningBoundedMixin(models.AbstractModel):
    """Integers that PostgreSQL can store, checked before the row is written.

    An integer column holds up to 2^31 - 1: a larger number typed in a form or sent through
    RPC would reach the database and come back as a raw "integer out of range" error with an
    ERROR line in the log. Python constraints run too late for that (after the INSERT), so
    the values are checked on the way in; each model's constraints then say what is sane.
    """

    _name = "dunning.bounded.mixin"
    _description = "Dunning: integers within the database's range"

    def _check_integer_range(self, vals):
        for name, value in vals.items():
            field = self._fields.get(name)
            if (
                field is not None
                and field.type == "integer"
                and isinstance(value, (int, float))
                and abs(value) > inputs.MAX_ID
            ):
                raise ValidationError(
                    self.env._(
                        "%(field)s of %(record)s: %(value)s is far too large; enter a sensible "
                        "number.",
                        field=field._description_string(self.env),
                        record=self._description,
                        value=value,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_integer_range(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_integer_range(vals)
        return super().write(vals)
