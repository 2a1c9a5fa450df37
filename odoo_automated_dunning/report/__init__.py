from . import dunning_delinquency_report
from . import dunning_effectiveness_report
from . import dunning_worklist
from . import dunning_kpi_dashboard
from . import dunning_statement_report
from . import dunning_plan_report
from . import dunning_letter_report
from . import dunning_forecast_report
