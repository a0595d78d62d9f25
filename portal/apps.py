from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin with the portal's own site: staff need a second factor to get in."""

    default_site = "portal.admin_site.PortalAdminSite"
