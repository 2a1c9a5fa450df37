from . import portal
from . import dunning_short_link
