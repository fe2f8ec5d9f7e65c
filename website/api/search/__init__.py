"""API of reader search: ``GET /api/v1/search/`` over the ``search`` app's entry point."""
