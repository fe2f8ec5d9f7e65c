"""Local development: debug on, a fixed throwaway secret, demo accounts allowed."""

from .base import *  # noqa: F401,F403
from .base import WELLNESS

DEBUG = True
SECRET_KEY = "django-insecure-dev-only-never-use-in-production"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
WELLNESS_DEMO_ACCOUNTS = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Webhook targets on loopback and private addresses: local receivers (tests, a front end on the
# same machine). Never in production (webhooks/targets.py).
WELLNESS = {**WELLNESS, "WEBHOOK_ALLOW_PRIVATE_TARGETS": True}
# Readers trying the demo see the magazine's own "Page not found" page (website/not_found.py).
MIDDLEWARE = [*MIDDLEWARE, "website.not_found.BrandedNotFoundMiddleware"]  # noqa: F405
