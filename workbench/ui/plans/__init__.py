"""File > Open plan, Save plan, Sample plans."""
