import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionwork.settings")
application = get_wsgi_application()

if os.environ.get("UNIONWORK_WARM_UP"):  # scripts/serve-production (gunicorn --preload): workers fork warm
    from unionwork.plans.memo import warm_up

    warm_up()
