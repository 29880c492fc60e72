"""Indexes that carry ``organization_id``, so that Row Level Security's
condition on it is checked in the index and PostgreSQL can answer from the
index alone again, as it did before RLS (issue 15; found by comparing each
bench page's plans as the runtime role and as a superuser, who bypasses RLS).

1. ``user_journeys_member_idx`` (journey_id): a journey's member count, on the
   home page, the journey's header and the members tab. Under RLS it read the
   1,260 enrolment rows of a big class from the table (21 pages) instead of
   the index: 0.3 ms of the home page's journeys query.
2. ``user_journeys_enrolment_idx`` (user_id, journey_id): "is this person in
   that journey", asked by the feed, the members tab (once per member shown)
   and the posts policy.
3. ``likes_post_user_idx`` (post_id, user_id): a post's like count and "did I
   like it" on the post page and the feed. It replaces
   ``likes_post_count_idx`` (post_id), whose work it does as well, so that
   likes, the largest table, gains no index to keep up.

The unique and foreign-key indexes Django declares stay as they are (Django's
state knows them; these are PostgreSQL's alone, like the ``organization_id``
column they carry).
"""

from django.db import migrations

COVERING = """
CREATE INDEX IF NOT EXISTS user_journeys_member_idx ON user_journeys (journey_id)
    INCLUDE (organization_id);
CREATE INDEX IF NOT EXISTS user_journeys_enrolment_idx ON user_journeys (user_id, journey_id)
    INCLUDE (organization_id);
CREATE INDEX IF NOT EXISTS likes_post_user_idx ON likes (post_id, user_id)
    INCLUDE (organization_id);
DROP INDEX IF EXISTS likes_post_count_idx;
"""

COVERING_BEFORE = """
CREATE INDEX IF NOT EXISTS likes_post_count_idx ON likes (post_id) INCLUDE (organization_id);
DROP INDEX IF EXISTS likes_post_user_idx;
DROP INDEX IF EXISTS user_journeys_enrolment_idx;
DROP INDEX IF EXISTS user_journeys_member_idx;
"""


class Migration(migrations.Migration):
    dependencies = [("sqeeze", "0003_cheaper_policies")]

    operations = [migrations.RunSQL(COVERING, COVERING_BEFORE)]
