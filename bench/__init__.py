"""``make bench``: Sqeeze's pages and mail queue measured on generated data sets.

See README.md ("Performance") for how to run it and what it reports;
``bench.run`` is the entry point.
"""
