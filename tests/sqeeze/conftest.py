"""The data dir of tests that start real embedded servers."""

import shutil
import uuid

import pytest

from tests.sqeeze.real_processes import REPO, kill_processes_using


@pytest.fixture
def embedded_dir():
    # Inside the checkout (as in real use): pgserver runs PostgreSQL as its own
    # system user when started by root, which cannot enter pytest's 0700 tmp dirs.
    path = REPO / ".embedded" / f"test-{uuid.uuid4().hex[:8]}"
    yield path
    # A failed test must not leave its servers running (nor Redis, which
    # refuses SIGTERM once its data dir is gone).
    kill_processes_using(path)
    shutil.rmtree(path, ignore_errors=True)
