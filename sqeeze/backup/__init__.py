"""``make backup`` / ``make restore``: the database and the uploaded files in one archive.

``python -m sqeeze.backup backup [--output PATH|-]`` writes a ``.tar.gz`` holding

- ``database.dump``: ``pg_dump --format=custom`` of the configured database
  (``DATABASE_URL``, else the embedded PostgreSQL, started if it is not running);
- ``media/``: every file under ``MEDIA_ROOT`` when uploads are stored locally.
  With S3 storage the bucket is not copied: the provider's versioning and
  replication keep it, and the manifest says so;
- ``manifest.json``: when, which Sqeeze (version, git revision), the database,
  its applied migrations and what the archive holds.

``python -m sqeeze.backup restore PATH|- --yes`` puts such an archive back into
the configured database and ``MEDIA_ROOT``, then runs ``migrate``, so an older
backup restored into newer code is brought up to date: that is the upgrade path.
Everything that can be checked is checked before anything changes (the archive
reads to its end, the manifest, the dump's table of contents, migrations the
code does not know, other sessions connected to the database), and the database
is replaced in one transaction: a restore either happens whole or not at all.

``pg_dump`` works from one snapshot, so a backup taken while Sqeeze runs is
consistent; the files are copied after the dump, so the files of the dump's rows
are in the archive (unless deleted in between). A restore refuses while other
sessions are connected (Sqeeze running): they would go on with a database
changed under them.
"""


class BackupError(Exception):
    """A refusal or failure the operator can act on; printed without a traceback."""
