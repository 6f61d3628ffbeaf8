"""apps.py — the filings app's configuration."""
from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "filings"
