"""The indicator catalogue (see `base`); importing this package registers every indicator."""

from . import activity  # noqa: F401
from .base import POOLED, Indicator, Measure, Period, catalogue, get  # noqa: F401
