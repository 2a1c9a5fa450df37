from . import dunning_run_preview
from . import dunning_dispute_wizard
from . import dunning_waive_wizard
from . import dunning_interest_note_wizard
from . import dunning_call_outcome_wizard
from . import dunning_payment_plan_wizard
from . import dunning_rate_import_wizard
from . import dunning_variant_comparison
