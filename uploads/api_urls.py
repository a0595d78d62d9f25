"""``/api/v1/``: the JSON API for sellers' own systems (see uploads/views/api.py)."""

from django.urls import path

from uploads.views import api

app_name = "api"

urlpatterns = [
    path("requests", api.requests_collection, name="requests"),
    path("requests/<int:pk>", api.request_detail, name="request"),
]
