from . import main
from . import preferences
