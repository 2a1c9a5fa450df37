from . import test_dunning_queue_job
from . import test_dunning_queue_job_quota
from . import test_dunning_queue_job_runner
