from . import test_voice_calls
from . import test_voice_i18n
from . import test_voice_keys
from . import test_voice_runs
from . import test_voice_preferences
