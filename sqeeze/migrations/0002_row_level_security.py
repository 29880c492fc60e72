"""Row Level Security on every table with academy data (issue 15; the seed has
it on 17 tables, Sqeeze had it on none). docs/architecture.md, "Tenancy in the
database", says how the context reaches the database and how a new table joins.

1. The context functions the policies read (core.rls).
2. ``organization_id`` on each table that lacked it (the seed's and Sqeeze's),
   filled from its parent row by a trigger and indexed, so a policy is one
   equality per row: the academy of a comment is its post's, of a post its
   journey's (else its author's), of a notification its receiver's.
3. Rows follow their parent when it moves to another academy (a journey, or a
   person moved by an operator).
4. Profiles: only the platform changes a person's academy (or the sign-in of a
   person who has none yet), only an admin or the platform a role.
5. RLS enabled and forced, with a policy per command. The academy boundary
   everywhere; row rules where they are cheap (a student reads the posts of the
   journeys they are in and their own; a notification or a push subscription
   is its receiver's; the e-mail queue the platform's); public rows (published
   blog posts, public files) are readable by anyone.

The seed's ``email_queue``, ``inquiry`` and ``blog`` belong to the platform, not
to an academy: they get RLS without an ``organization_id``.
"""

from django.db import migrations

from core import rls
from core.rls import ACADEMY, BOUNDARY, PERSON, PLATFORM, ROLE, SIGNIN, Policies

# table: (parent, key column[, fallback expression for a NULL key])
ORGANIZATION_FROM_PARENT = {
    "journey_weeks": ("journeys", "journey_id"),
    "user_journeys": ("journeys", "journey_id"),
    "journey_class_versions": ("journeys", "journey_id"),
    "journey_mission_instances": ("journeys", "journey_id"),
    "teams": ("journeys", "journey_id"),
    "submission_exports": ("journeys", "journey_id"),
    "team_members": ("teams", "team_id"),
    "team_points": ("teams", "team_id"),
    "posts": (
        "journeys",
        "journey_id",
        '(SELECT organization_id FROM profiles WHERE id = NEW."user_id")',
    ),
    "comments": ("posts", "post_id"),
    "likes": ("posts", "post_id"),
    "post_views": ("posts", "post_id"),
    "post_attachments": ("posts", "post_id"),
    "user_points": ("journey_mission_instances", "mission_instance_id"),
    "mission_notices": ("journey_mission_instances", "mission_instance_id"),
    "mission_reminders": ("journey_mission_instances", "mission_instance_id"),
    "notifications": ("profiles", "receiver_id"),
    "digest_deliveries": ("profiles", "receiver_id"),
    "notification_preferences": ("profiles", "user_id"),
    "subscriptions": ("profiles", "user_id"),
    "files": ("profiles", "user_id"),
    "bug_reports": ("profiles", "user_id"),
    "role_changes": ("profiles", "profile_id"),
    "django_admin_log": ("profiles", "user_id"),
    "account_emailaddress": ("profiles", "user_id"),
    "account_emailconfirmation": ("account_emailaddress", "email_address_id"),
    "socialaccount_socialaccount": ("profiles", "user_id"),
    "socialaccount_socialtoken": ("socialaccount_socialaccount", "account_id"),
}

# When a parent row moves to another academy (an operator moves a person, or a
# journey), the rows filled from it follow (core.rls.follow_parent).
FOLLOWERS: dict[str, dict[str, str]] = {}
for _table, (_parent, _key, *_fallback) in ORGANIZATION_FROM_PARENT.items():
    FOLLOWERS.setdefault(_parent, {})[_table] = _key

STAFF = f"{ROLE} IN ('teacher', 'admin', 'academy')"
# The platform's own tables, and identities found while signing in.
PLATFORM_ONLY = Policies(select=PLATFORM, insert=PLATFORM, update=PLATFORM, delete=PLATFORM)
# The sign-in pages read identities across academies (is this address taken?);
# only someone not yet signed in (signing up, resetting a password) writes them
# there: a signed-in person on those pages writes their own and their academy's.
IDENTITY = f"({BOUNDARY} OR {SIGNIN})"
SIGNING_IN = f"({SIGNIN} AND {PERSON} IS NULL)"
IDENTITY_WRITE = f"({BOUNDARY} OR {SIGNING_IN})"
IDENTITY_POLICIES = Policies(
    select=IDENTITY, insert=IDENTITY_WRITE, update=IDENTITY_WRITE, delete=IDENTITY_WRITE
)
OWN_IDENTITY = Policies(
    select=f"({IDENTITY} OR user_id = {PERSON})",
    insert=f"({IDENTITY_WRITE} OR user_id = {PERSON})",
    update=f"({IDENTITY_WRITE} OR user_id = {PERSON})",
    delete=f"({IDENTITY_WRITE} OR user_id = {PERSON})",
)
PUBLIC_BUCKETS = "('images', 'profile-images', 'journey-covers')"  # settings.FILE_BUCKETS

POLICIES = {
    "organizations": Policies(
        select=f"(id = {ACADEMY} OR {PLATFORM} OR {SIGNIN})",
        insert=PLATFORM,
        update=f"((id = {ACADEMY} AND {ROLE} = 'admin') OR {PLATFORM})",
        delete=PLATFORM,
    ),
    "profiles": Policies(
        select=f"({IDENTITY} OR id = {PERSON})",
        insert=IDENTITY_WRITE,
        update=f"({IDENTITY_WRITE} OR id = {PERSON})",
        delete=f"({BOUNDARY} OR id = {PERSON})",
    ),
    # A code is redeemed by whoever holds it, signed in or not (finishing a
    # profile after a social log-in), in the academy that issued it.
    "role_access_code": Policies(
        select=IDENTITY, insert=BOUNDARY, update=IDENTITY, delete=BOUNDARY
    ),
    "account_emailaddress": OWN_IDENTITY,
    "account_emailconfirmation": IDENTITY_POLICIES,
    "socialaccount_socialaccount": OWN_IDENTITY,
    "socialaccount_socialtoken": IDENTITY_POLICIES,
    # A student reads the posts of the journeys they are in, and their own.
    "posts": Policies(
        select=(
            f"({BOUNDARY} AND ({PLATFORM} OR {STAFF} OR user_id = {PERSON}"
            " OR journey_id = ANY ((SELECT sqeeze_enrolled_journeys())::uuid[])))"
        ),
    ),
    # A notification is its receiver's (written by whoever acts).
    "notifications": Policies(
        select=f"({BOUNDARY} AND ({PLATFORM} OR receiver_id = {PERSON} OR {ROLE} = 'academy'))",
        update=f"({BOUNDARY} AND ({PLATFORM} OR receiver_id = {PERSON} OR {ROLE} = 'academy'))",
        delete=f"({BOUNDARY} AND ({PLATFORM} OR receiver_id = {PERSON} OR {ROLE} = 'academy'))",
    ),
    # Push subscriptions: their owner's, and the platform's that sends pushes.
    "subscriptions": Policies(
        select=f"({BOUNDARY} AND ({PLATFORM} OR user_id = {PERSON}))",
        insert=f"({BOUNDARY} AND ({PLATFORM} OR user_id = {PERSON}))",
        update=f"({BOUNDARY} AND ({PLATFORM} OR user_id = {PERSON}))",
        delete=f"({BOUNDARY} AND ({PLATFORM} OR user_id = {PERSON}))",
    ),
    # Public files are public anyway (their address is the storage's).
    "files": Policies(select=f"({BOUNDARY} OR bucket_name IN {PUBLIC_BUCKETS})"),
    # The platform's: whoever queues a mail or sends an inquiry hands it to the
    # system context (notifications.email_backend, inquiries.services).
    "email_queue": PLATFORM_ONLY,
    "inquiry": PLATFORM_ONLY,
    # statement_timestamp(), not now(): a post published earlier in the same
    # transaction (a test's) is public for the next statement.
    "blog": Policies(
        select=f"((published_at IS NOT NULL AND published_at <= statement_timestamp()) OR {PLATFORM})",
        insert=PLATFORM,
        update=PLATFORM,
        delete=PLATFORM,
    ),
    "organization_changes": PLATFORM_ONLY,
}

NATIVE_ORGANIZATION = ("journeys", "missions", "student_imports")

PROTECTED = (
    *NATIVE_ORGANIZATION,
    *ORGANIZATION_FROM_PARENT,
    *(table for table in POLICIES if table not in ORGANIZATION_FROM_PARENT),
)

ENROLLED_JOURNEYS = """
CREATE OR REPLACE FUNCTION sqeeze_enrolled_journeys() RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(journey_id), '{}') FROM user_journeys
          WHERE user_id = (SELECT sqeeze_person()) $$;
"""

PROFILE_GUARD = f"""
CREATE OR REPLACE FUNCTION sqeeze_guard_profile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.organization_id IS DISTINCT FROM OLD.organization_id
       AND NOT {PLATFORM}
       AND NOT ({SIGNIN} AND OLD.organization_id IS NULL) THEN
        RAISE EXCEPTION 'only the platform moves a person to another academy'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.role IS DISTINCT FROM OLD.role
       AND NOT {PLATFORM}
       AND NOT ({ROLE} = 'admin' AND OLD.organization_id = {ACADEMY})
       AND NOT ({SIGNIN} AND OLD.organization_id IS NULL) THEN
        RAISE EXCEPTION 'only an admin of the academy changes a role'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS profiles_guard ON profiles;
CREATE TRIGGER profiles_guard BEFORE UPDATE OF organization_id, role ON profiles
    FOR EACH ROW EXECUTE FUNCTION sqeeze_guard_profile();
"""


# Counts read from an index alone (index-only scans) must find the columns the
# policies read there too, or every counted row is fetched from the table: the
# grading queue's waiting submissions (2.2 ms instead of 0.5 at the bench's full
# size) and the likes and comments of each feed card. Django's state keeps
# posts_grading_journey_idx as community's migrations declare it (INCLUDE adds
# no key column); the two count indexes are the database's own.
COUNT_INDEXES = """
DROP INDEX IF EXISTS posts_grading_journey_idx;
CREATE INDEX posts_grading_journey_idx ON posts (journey_id, created_at, id)
    INCLUDE (organization_id, user_id)
    WHERE achievement_status = 'pending' AND mission_instance_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS likes_post_count_idx ON likes (post_id) INCLUDE (organization_id);
CREATE INDEX IF NOT EXISTS comments_post_count_idx ON comments (post_id)
    INCLUDE (organization_id);
"""
COUNT_INDEXES_BEFORE = """
DROP INDEX IF EXISTS likes_post_count_idx;
DROP INDEX IF EXISTS comments_post_count_idx;
DROP INDEX IF EXISTS posts_grading_journey_idx;
CREATE INDEX posts_grading_journey_idx ON posts (journey_id, created_at, id)
    WHERE achievement_status = 'pending' AND mission_instance_id IS NOT NULL;
"""


def forwards_sql() -> str:
    parts = [rls.CONTEXT_FUNCTIONS, ENROLLED_JOURNEYS]
    for table, (parent, key, *fallback) in ORGANIZATION_FROM_PARENT.items():
        parts.append(
            rls.organization_column(table, parent=parent, key=key, fallback="".join(fallback))
        )
    for parent, children in FOLLOWERS.items():
        parts.append(rls.follow_parent(parent, children))
    parts.append(PROFILE_GUARD)
    for table in PROTECTED:
        parts.append(rls.protect(table, POLICIES.get(table, Policies())))
    parts.append(COUNT_INDEXES)
    return "\n".join(parts)


def backwards_sql() -> str:
    parts = [COUNT_INDEXES_BEFORE]
    parts += [rls.unprotect(table) for table in PROTECTED]
    parts.append("DROP TRIGGER IF EXISTS profiles_guard ON profiles;")
    parts.append("DROP FUNCTION IF EXISTS sqeeze_guard_profile();")
    parts += [rls.drop_follow_parent(parent) for parent in FOLLOWERS]
    parts += [rls.drop_organization_column(table) for table in ORGANIZATION_FROM_PARENT]
    parts.append("DROP FUNCTION IF EXISTS sqeeze_enrolled_journeys();")
    parts.append(rls.DROP_CONTEXT_FUNCTIONS)
    return "\n".join(parts)


class Migration(migrations.Migration):
    dependencies = [
        ("sqeeze", "0001_site_name_and_domain"),
        ("accounts", "0007_student_import_columns"),
        ("blog", "0002_publishing_and_cover_file"),
        ("community", "0008_class_versions_score"),
        ("files", "0001_initial"),
        ("inquiries", "0002_bug_triage_and_inquiry_consent"),
        ("journeys", "0003_class_versions"),
        ("missions", "0004_class_versions"),
        ("notifications", "0004_fan_out"),
        ("points", "0002_class_versions"),
        ("submissions", "0001_submission_exports"),
        ("teams", "0002_class_versions"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("socialaccount", "0006_alter_socialaccount_extra_data"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunSQL(forwards_sql(), backwards_sql())]
