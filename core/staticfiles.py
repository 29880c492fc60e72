"""The static files' storage in production: WhiteNoise's compressed manifest
storage, whose addresses are worked out once per process.

Every page asks for the same dozen addresses (``{% static %}``: the style
sheet, the scripts, the icons), and each costs a walk through the name's
cleaning, the manifest and the URL's quoting, 10–15 µs: a tenth to a fifth
of a millisecond a page for answers that cannot change while the process runs
(the manifest is read once, at start). So each answer is kept, per name and
per ``DEBUG`` (which ``url`` reads at each call). A name the manifest lacks
raises as before and is not kept; the number kept is bounded, so names built
from input cannot grow the memory.
"""

from __future__ import annotations

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

REMEMBERED_NAMES = 1024


class RememberedManifestStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._addresses: dict[tuple[str, bool], str] = {}

    def url(self, name, force=False) -> str:
        if force:
            return super().url(name, force)
        key = (name, settings.DEBUG)
        address = self._addresses.get(key)
        if address is None:
            address = super().url(name)
            if len(self._addresses) < REMEMBERED_NAMES:
                self._addresses[key] = address
        return address
