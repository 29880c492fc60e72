"""Network helpers for tests that run real servers on loopback."""

import socket


def free_port() -> int:
    """A loopback port nothing listens on (bound, read, released): a server may
    take it, and a client connecting to it now is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
