"""API of the magazine's pages: sections, topics, article cards and bundles, preview."""
