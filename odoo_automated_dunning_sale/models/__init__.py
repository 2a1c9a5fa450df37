from . import dunning_level
from . import res_partner
from . import sale_order
