from . import portal
from . import portal_plan
from . import portal_dispute
from . import preferences
from . import dunning_short_link
