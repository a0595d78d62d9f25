from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from portal.health import health
from uploads.web import errors

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", include("uploads.api.urls")),
    path("", include("uploads.web.urls")),
    path("health", health, name="health"),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
