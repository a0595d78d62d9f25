"""System checks of the uploads app: this process's master keys against the installation's."""

from django.core.checks import CheckMessage, Error, Warning, register
from django.db import DatabaseError, connection

from uploads.models import MasterKey
from uploads.retention.services import master_keys


@register()
def master_keys_check(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """``manage.py check`` (and runserver, migrate...) fails like a web process would at start."""
    try:
        if MasterKey._meta.db_table not in connection.introspection.table_names():
            return []  # not migrated yet: the first migrate registers the keys
        problems = master_keys.master_keys_problems()
    except DatabaseError:
        return [
            Warning(
                "The master keys could not be checked: the database is out of reach.",
                id="uploads.W001",
            )
        ]
    return [
        Error(problem, hint="See Keys in README.md (Settings).", id="uploads.E001")
        for problem in problems
    ]
