"""The headless content API under ``/api/v1/``: routing, errors, pagination, caching and schema.

The API is the top layer (docs/architecture.md, Layers): the views, serializers and query
parameters of each resource live here, one subpackage per app (``articles``, ``experts``,
``search``), beside what every endpoint shares, so there is one error shape, one pagination, one
way to send validators and one set of query-parameter rules for the whole API. The apps below it
never import it.
"""
