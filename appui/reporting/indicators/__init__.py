"""The indicator catalogue (see `base`); importing this package registers every indicator."""

from . import activity  # noqa: F401
from .base import POOLED, Indicator, Measure, Period, catalogue, get  # noqa: F401

# --- ind1: delays, PPCS
# isort: off
from . import delays, ppcs  # noqa: F401, E402

# isort: on
# --- end ind1
