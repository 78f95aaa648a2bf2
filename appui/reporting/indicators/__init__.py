"""The indicator catalogue (see `base`); importing this package registers every indicator, each
module's in its section."""

from . import activity, costs, delays, follow_up, ppcs, quality, territory  # noqa: F401
from .base import POOLED, Indicator, Measure, Period, catalogue, get  # noqa: F401
