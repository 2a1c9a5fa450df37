from . import dunning_policy
from . import dunning_level
from . import dunning_communication
from . import dunning_communication_line
from . import dunning_run
from . import account_move
from . import res_partner
