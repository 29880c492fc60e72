import gc
import os

from django.core.wsgi import get_wsgi_application

from core.callstack import with_room

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqeeze.settings")
# Each request runs in a frame-stack chunk of its own (core.callstack: on
# Python 3.11 a page whose frames cross a chunk's edge back and forth maps and
# unmaps memory at every crossing).
application = with_room(get_wsgi_application())

# What loading Django made (modules, URL patterns, templates' parsers, models)
# lives as long as the process: moved out of the collector's generations, it
# is no longer walked at each collection a request's garbage triggers. A
# collection first, so nothing already garbage is kept for good.
gc.collect()
gc.freeze()
