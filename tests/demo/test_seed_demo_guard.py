import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organization, Profile


def test_it_refuses_to_seed_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not Organization.objects.exists()
    assert not Profile.objects.exists()
