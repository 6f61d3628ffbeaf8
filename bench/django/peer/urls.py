"""urls.py — the two routes of the peer, under beian's paths."""
from django.urls import path

from filings import views

urlpatterns = [
    path("api/v1/filings/<int:pk>", views.FilingDetail.as_view()),
    path("api/v1/filings/<int:pk>/document", views.FilingDocument.as_view()),
]
