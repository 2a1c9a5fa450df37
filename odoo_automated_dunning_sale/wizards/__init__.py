from . import dunning_sale_hold_override
