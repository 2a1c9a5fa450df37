"""The dunning decisions, in plain Python: no Odoo import anywhere in this package."""

from .engine import (  # noqa: F401
    EXCLUDED_DISPUTED,
    EXCLUDED_NO_FOLLOWUP,
    EXCLUDED_NO_POLICY,
    EXCLUDED_NOT_OVERDUE,
    EXCLUDED_PROMISED,
    SKIP_BELOW_MINIMUM,
    SKIP_BLACKLISTED,
    SKIP_CREDIT_COVERS,
    SKIP_CAPPED,
    SKIP_NO_CHANNEL,
    SKIP_OBJECTED,
    SKIP_NO_EMAIL,
    SKIP_PAUSED,
    SKIP_REFUSED,
    add_delay,
    choose_channels,
    add_months,
    decide_customer,
    is_positive,
    match_policy,
    next_level_date,
    next_reminder_date,
    plan_run,
)
from .config import LevelConfig, delay_days, policy_problems  # noqa: F401
from .facts import (  # noqa: F401
    CHANNELS,
    DELAY_UNITS,
    PARTNER_TYPES,
    TONES,
    Customer,
    CustomerDecision,
    Invoice,
    Level,
    LineDecision,
    Policy,
    RunPlan,
)
from .statement import (  # noqa: F401
    BUCKETS,
    OpenItem,
    bucket_of,
    build_statement,
)
from .compliance import (  # noqa: F401
    ALLOWED,
    OBJECTED,
    REFUSED,
    ConsentEntry,
    ContactWindow,
    FrequencyCap,
    cap_allows,
    consent_state,
    next_allowed,
)
