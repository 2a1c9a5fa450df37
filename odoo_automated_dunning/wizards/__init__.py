from . import dunning_run_preview
from . import dunning_dispute_wizard
