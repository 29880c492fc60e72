"""Where one page's time goes, in process: cProfile over many requests of it
on a data set ``make bench`` made (``BENCH_REUSE=1`` keeps it).

    DATABASE_URL=postgres://…/bench_full REDIS_URL=redis://…/1 \\
        python -m bench.profile home [--runs 200] [--sort tottime] [--top 40]

The page keys are ``bench.pages``'; the person asking is signed in with
``force_login`` (the student, teacher or visitor of that table). The first
``WARMUP_RUNS`` requests are not profiled, so statements are prepared and
templates loaded, as on a server that has served the page.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-profile-only")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("SECURE_COOKIES", "false")
    # the bench's collectstatic (its manifest names every asset)
    os.environ.setdefault("STATIC_ROOT", str(Path(__file__).parent / ".work" / "static"))
    import django

    django.setup()
    from core import tenancy

    # The addresses are looked up as the operator; each request runs in its own context.
    tenancy.set_process_default(tenancy.OPERATOR)


def _clients():
    from django.test import Client

    from accounts.models import Profile
    from bench.generate import BENCH_STUDENT_EMAIL, BENCH_TEACHER_EMAIL

    clients = {"visitor": Client()}
    for who, email in (("student", BENCH_STUDENT_EMAIL), ("teacher", BENCH_TEACHER_EMAIL)):
        client = Client()
        client.force_login(
            Profile.objects.get(email=email), backend="django.contrib.auth.backends.ModelBackend"
        )
        clients[who] = client
    return clients


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("page")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args(argv)
    _setup()
    from bench.pages import PAGES, WARMUP_RUNS, _urls

    who = {key: asker for key, _label, asker in PAGES}[args.page]
    clients = _clients()
    url = _urls([args.page], clients, lambda *_: None)[args.page]
    client = clients[who]
    for _run in range(WARMUP_RUNS):
        assert client.get(url).status_code == 200, url
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _run in range(args.runs):
        client.get(url)
    profiler.disable()
    per_request = (time.perf_counter() - started) / args.runs * 1000
    print(f"{args.page} {url}: {per_request:.2f} ms a request, profiled ({args.runs} runs)")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
