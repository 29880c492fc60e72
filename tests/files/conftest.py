"""Storage fixtures: every file test can run on local disk and on a real
S3-compatible server on loopback (moto's server mode), with the same assertions."""

from __future__ import annotations

import uuid

import boto3
import pytest

from tests.net import free_port

S3_ACCESS_KEY = "sqeeze-test"
S3_SECRET_KEY = "sqeeze-test-secret"
S3_REGION = "us-east-1"


@pytest.fixture(scope="session")
def s3_server():
    """A moto S3 server on loopback for the whole test session; its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def local_storages(media_root) -> dict:
    return {
        "public_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media_root / "public", "base_url": "/media/public/"},
        },
        "private_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media_root / "private", "base_url": None},
        },
    }


def s3_storages(endpoint: str, bucket: str) -> dict:
    common = {
        "bucket_name": bucket,
        "access_key": S3_ACCESS_KEY,
        "secret_key": S3_SECRET_KEY,
        "region_name": S3_REGION,
        "endpoint_url": endpoint,
        "file_overwrite": False,
        "default_acl": None,
        "signature_version": "s3v4",
    }
    return {
        "public_files": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**common, "location": "public", "querystring_auth": False},
        },
        "private_files": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **common,
                "location": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
            },
        },
    }


@pytest.fixture(params=["local", "s3"])
def file_storage(request, settings, tmp_path):
    """Point the public and private storages at local disk or at S3; yields the
    backend's name. A fresh folder or bucket per test keeps tests apart."""
    return use_storage(request.param, request, settings, tmp_path)


@pytest.fixture
def local_file_storage(request, settings, tmp_path):
    """Local disk only, for what exists only there (the /media/public/ route)."""
    return use_storage("local", request, settings, tmp_path)


def use_storage(backend: str, request, settings, tmp_path) -> str:
    base = {alias: settings.STORAGES[alias] for alias in ("default", "staticfiles")}
    if backend == "local":
        settings.MEDIA_ROOT = tmp_path
        settings.STORAGES = {**base, **local_storages(tmp_path)}
    else:
        endpoint = request.getfixturevalue("s3_server")
        bucket = f"sqeeze-{uuid.uuid4().hex[:12]}"
        s3_client(endpoint).create_bucket(Bucket=bucket)
        settings.AWS_STORAGE_BUCKET_NAME = bucket
        settings.STORAGES = {**base, **s3_storages(endpoint, bucket)}
    return backend


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
        region_name=S3_REGION,
    )
