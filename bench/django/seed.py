#!/usr/bin/python3
"""seed.py — makes the peer's database as bench/run.sh makes beian's: the schema (migrate), the
enterprise of the bench with its filer, a second enterprise with a user of its own (for the
visibility check), a token each, one filing to GET and DRAFTS drafts to PUT, all holding the
document DOC (the same bytes beian stores).

  PEER_DB=FILE seed.py DOC [DRAFTS]   prints: TOKEN OTHER_TOKEN FILING DRAFT_IDS(comma-separated)
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from filings.models import Filing, Organisation, User  # noqa: E402


def main():
    doc_path = sys.argv[1]
    drafts = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    with open(doc_path, encoding="utf-8") as f:
        document = json.load(f)
    call_command("migrate", verbosity=0)
    enterprise = Organisation.objects.create(name="bench", kind="enterprise")
    other = Organisation.objects.create(name="other enterprise", kind="enterprise")
    Organisation.objects.create(name="provider", kind="provider")
    filer = User.objects.create_user("filer", organisation=enterprise)
    stranger = User.objects.create_user("other-filer", organisation=other)
    token = Token.objects.create(user=filer).key
    other_token = Token.objects.create(user=stranger).key
    filing = Filing.objects.create(organisation=enterprise, document=document, revision=1)
    ids = [Filing.objects.create(organisation=enterprise, document=document, revision=1).pk
           for _ in range(drafts)]
    print(token, other_token, filing.pk, ",".join(map(str, ids)))


if __name__ == "__main__":
    main()
