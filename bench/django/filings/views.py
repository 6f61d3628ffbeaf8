"""views.py — GET /api/v1/filings/{id} and PUT /api/v1/filings/{id}/document.

Both see only the caller's organisation's filings (another organisation's filing is 404, as if it
did not exist). The PUT takes the whole document: If-Match required (428), the document checked
against the JSON Schema derived from the pack's form (400 with every error), then in one
transaction a conditional UPDATE on the revision named by If-Match (412 when it moved on; "*"
takes any) and an audit row. The write comes first in the transaction on purpose: a read first
would start a read transaction that SQLite cannot upgrade once another worker has committed
(SQLITE_BUSY at once, no waiting), while a first write waits for the lock (the busy timeout).
"""
import hashlib

import jsonschema
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import form_schema
from .models import AuditEntry, Filing

# compiled once per worker process
DOCUMENT_SCHEMA = jsonschema.Draft7Validator(form_schema.load(settings.PEER_FORM),
                                             format_checker=jsonschema.FormatChecker())


class FilingSerializer(serializers.ModelSerializer):
    organisation = serializers.PrimaryKeyRelatedField(read_only=True)
    etag = serializers.CharField(read_only=True)

    class Meta:
        model = Filing
        fields = ["id", "organisation", "state", "revision", "etag", "updated_at", "document"]


def problem(code, title, **more):
    return Response(dict({"title": title}, **more), status=code)


def visible(request):
    return Filing.objects.filter(organisation_id=request.user.organisation_id)


def revision_named(if_match, pk):
    """The revision an If-Match of the form "<id>-<revision>" names, None for "*", -1 for junk."""
    if if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    filing, _, revision = tag.partition("-")
    if filing != str(pk) or not revision.isdigit():
        return -1
    return int(revision)


class FilingDetail(APIView):
    def get(self, request, pk):
        filing = get_object_or_404(visible(request), pk=pk)
        return Response(FilingSerializer(filing).data, headers={"ETag": filing.etag})


class FilingDocument(APIView):
    def put(self, request, pk):
        raw = request.body   # read before DRF parses it, for the audit row's digest
        if_match = request.headers.get("If-Match")
        if if_match is None:
            return problem(status.HTTP_428_PRECONDITION_REQUIRED, "If-Match required")
        document = request.data
        errors = [{"path": "/" + "/".join(str(p) for p in e.absolute_path), "message": e.message}
                  for e in DOCUMENT_SCHEMA.iter_errors(document)]
        if errors:
            return problem(status.HTTP_400_BAD_REQUEST, "invalid document", errors=errors)
        expected = revision_named(if_match, pk)
        with transaction.atomic():
            target = visible(request).filter(pk=pk, state="draft")
            if expected is not None:
                target = target.filter(revision=expected)
            if target.update(document=document, revision=F("revision") + 1, updated_at=timezone.now()) == 0:
                get_object_or_404(visible(request), pk=pk)
                return problem(status.HTTP_412_PRECONDITION_FAILED, "the filing changed or is not a draft")
            filing = Filing.objects.get(pk=pk)
            AuditEntry.objects.create(filing=filing, actor=request.user, action="document.save",
                                      revision=filing.revision,
                                      document_sha256=hashlib.sha256(raw).hexdigest())
        return Response(FilingSerializer(filing).data, headers={"ETag": filing.etag})
