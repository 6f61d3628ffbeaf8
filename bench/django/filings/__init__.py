"""Filings: the peer's one app (models, bearer-token authentication, the two API views)."""
