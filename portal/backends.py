"""Turning the short environment values for the cache and the task queue into Django settings.

Kept apart from settings.py so the parsing can be tested without re-importing the settings.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Short names for TASKS_BACKEND; a full import path is accepted too.
TASK_BACKENDS = {
    # Runs the task inside the request that enqueued it: one machine, no worker to run.
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    # Stores the task in the database; `python manage.py db_worker` processes (django-tasks-db).
    "database": "django_tasks_db.DatabaseBackend",
}


def tasks_backend(value: str) -> str:
    """The backend import path for a TASKS_BACKEND value (a short name or an import path)."""
    value = value.strip()
    if value.lower() in TASK_BACKENDS:
        return TASK_BACKENDS[value.lower()]
    if "." in value and " " not in value:
        return value
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)} or an import path; got {value!r}"
    )


def cache_from_url(url: str) -> dict[str, object]:
    """A CACHES entry for CACHE_URL: ``locmem://``, ``dummy://``, ``redis://…`` or ``rediss://…``.

    Redis goes through Django's built-in RedisCache (redis-py). The URL, which may hold a password,
    is never repeated in an error message.
    """
    scheme = urlsplit(url.strip()).scheme.lower()
    if scheme == "locmem":
        # Per process: fine for one web process; rate limits need a shared cache beyond that.
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme in ("redis", "rediss"):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url.strip(),
            # A cache that is down must not hang every request behind it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    raise ImproperlyConfigured(
        "CACHE_URL must start with locmem://, dummy://, redis:// or rediss://"
        + (f"; got a {scheme}:// address" if scheme else "")
    )
