from . import account_move
from . import dunning_consent
from . import dunning_level_channel
from . import dunning_level
from . import res_company
from . import res_partner
from . import dunning_communication
from . import dunning_send_voice
