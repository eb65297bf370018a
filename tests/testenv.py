"""Loaded by pytest (`-p tests.testenv`) before Django's settings are read."""

import os

os.environ.setdefault("HOMEROOM_ENV", "test")
# Playwright's sync API runs an event loop in the main thread; the ORM calls made by the
# same tests would otherwise raise SynchronousOnlyOperation. Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
