"""Which blocks the episode page shows, in which order (see `sections.py`)."""

from .sections import register_section  # noqa: F401

# register_section("consent", 10, "care/episode/_consent.html", episode_consent_section)
# register_section("assessments", 20, …), ("meetings", 30, …), ("plan", 40, …),
# ("followup", 50, …), ("alerts", 5, …)
