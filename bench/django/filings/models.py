"""models.py — what the peer stores: organisations, their users (a token each, DRF's authtoken
table), filings with their document as JSON and a revision, and an audit row per change."""
from django.contrib.auth.models import AbstractUser
from django.db import models


class Organisation(models.Model):
    KINDS = [("enterprise", "enterprise"), ("provider", "provider"), ("authority", "authority")]
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=KINDS)


class User(AbstractUser):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="users")


class Filing(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="filings")
    state = models.CharField(max_length=20, default="draft")
    document = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def etag(self):
        return '"%d-%d"' % (self.pk, self.revision)


class AuditEntry(models.Model):
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="audit")
    actor = models.ForeignKey(User, on_delete=models.PROTECT)
    action = models.CharField(max_length=40)
    revision = models.PositiveIntegerField()
    document_sha256 = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)
