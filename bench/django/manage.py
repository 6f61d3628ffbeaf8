#!/usr/bin/python3
"""manage.py — Django's command line for the peer (migrate, makemigrations, shell)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
