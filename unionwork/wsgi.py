import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionwork.settings")
application = get_wsgi_application()

if os.environ.get("UNIONWORK_WARM_UP"):  # scripts/serve-production (gunicorn --preload): workers fork warm
    from unionwork.plans.memo import warm_up

    warm_up()

# The objects made so far (modules, settings, URL patterns, the warm figures) live as long as the process.
# Frozen (before gunicorn --preload forks), the cyclic collector no longer walks them: in a worker each
# full collection walked ~500,000 of them (0.7 s on the bench machine). Measured in docs/benchmarks.md.
gc.freeze()
