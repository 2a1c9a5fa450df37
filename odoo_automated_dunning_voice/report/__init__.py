from . import dunning_effectiveness_report
