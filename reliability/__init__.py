"""Soak and fault runs: ``make soak`` (``reliability/soak.py``) and ``make faults``."""
