import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# A web process whose master keys do not fit this installation (a stray key list) refuses to
# start, with the reason, instead of sealing uploads under a key the other processes lack.
from uploads.retention.services.master_keys import master_keys_require  # noqa: E402

master_keys_require()
