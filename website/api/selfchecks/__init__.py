"""API of the self-checks: list, detail and scoring (nothing a reader answers is stored)."""
