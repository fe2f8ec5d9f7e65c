"""Small primitives every app may use; this package imports no other project app."""
