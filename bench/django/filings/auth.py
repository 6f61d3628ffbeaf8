"""auth.py — DRF's TokenAuthentication answering to "Authorization: Bearer <token>" as beian does
(DRF's own keyword is "Token"); one query joins the token to its user."""
from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    keyword = "Bearer"
