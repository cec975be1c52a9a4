"""``detente serve``: the REST API (``/api/v1``) and the dashboard over one store.

    app       the ASGI app: settings, the request-size limit, CORS, the one error handler
    auth      tokens in requests, scopes, rate limits on writes
    api       the read endpoints (documents, events, incidents, dyads, analytics, alerts)
    writes    the write endpoints (ingest a document)
    docs      the API's own documentation page (no assets from elsewhere)
    pages     the dashboard's server-rendered pages

Routes only parse and answer: the work is the store's (``store.queries``, ``store.tokens``) and
the analytics' (``analysis``), the same functions the command line uses.
"""

from detente.web.app import Settings, create_app

__all__ = ["Settings", "create_app"]
