"""The headless content API under ``/api/v1/``: routing, errors, pagination, caching and schema.

App-specific views and serializers live in ``articles.api`` and ``experts.api``; this package
holds what every endpoint shares, so there is one error shape, one pagination, one way to send
validators and one set of query-parameter rules for the whole API.
"""
