"""The indicator catalogue (see `base`); importing this package registers every indicator."""

from . import activity  # noqa: F401
from .base import POOLED, Indicator, Measure, Period, catalogue, get  # noqa: F401

# isort: split
# --- ind2: follow-up, adverse events, unmet needs, costs ---
from . import costs, follow_up, quality, territory  # noqa: F401
