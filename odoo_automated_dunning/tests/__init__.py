from . import test_dunning_run
from . import test_dunning_cron
from . import test_dunning_charges
from . import test_dunning_access
from . import test_dunning_reports
from . import test_dunning_policy
from . import test_dunning_security
from . import test_dunning_channels
