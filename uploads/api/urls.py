"""``/api/v1/``: the JSON API for sellers' own systems (see uploads/views/api.py)."""

from django.urls import path, re_path

from uploads.api import views as api

app_name = "api"

urlpatterns = [
    path("requests", api.requests_collection, name="requests"),
    path("requests/<int:pk>", api.request_detail, name="request"),
    # Anything else under /api/v1/ is a JSON 404, not the customers' HTML error page.
    re_path(r"^.*$", api.not_found),
]
