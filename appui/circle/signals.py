"""Keep the care circle in step with the rest of the product (filled in by the circle services)."""
