from . import test_dunning_run
