"""The storage switch itself: both backends store and read back through Django's API."""

from django.core.files.base import ContentFile
from django.core.files.storage import storages


def test_both_storages_round_trip_bytes(file_storage):
    for alias in ("public_files", "private_files"):
        storage = storages[alias]
        name = storage.save("check/hello.txt", ContentFile(b"hello"))
        with storage.open(name) as stored:
            assert stored.read() == b"hello"
        storage.delete(name)
        assert not storage.exists(name)


def test_private_bytes_have_no_public_address(file_storage, client, db):
    storage = storages["private_files"]
    name = storage.save("check/secret.txt", ContentFile(b"secret"))
    if file_storage == "s3":
        # Only short-lived signed URLs, handed out after an access check.
        url = storage.url(name)
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    else:
        # Local disk: nothing in the site serves the private folder.
        assert client.get(f"/media/{name}").status_code == 404
        assert client.get(f"/media/private/{name}").status_code == 404
