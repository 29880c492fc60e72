import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqeeze.settings")
application = get_wsgi_application()

# What loading Django made (modules, URL patterns, templates' parsers, models)
# lives as long as the process: moved out of the collector's generations, it
# is no longer walked at each collection a request's garbage triggers. A
# collection first, so nothing already garbage is kept for good.
gc.collect()
gc.freeze()
