from . import dunning_delinquency_report
