"""The text search's words of a post come from a function of ours,
``sqeeze_post_document(title, content)`` (the same tsvector as Django's
SearchVector("title", "content", config="simple")), and the GIN index is rebuilt
on it. Under Row Level Security, PostgreSQL uses an index for a condition only
if everything in it is leakproof; SearchVector's COALESCE never is, so the feed
search read every post of the journey. PL/pgSQL keeps the function from being
inlined back into that COALESCE; ``migrate`` declares it leakproof
(core.rls.LEAKPROOF_FUNCTIONS)."""

import django.contrib.postgres.indexes
from django.db import migrations

import community.models

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION sqeeze_post_document(title text, content text) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$ BEGIN
        RETURN to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(content, ''));
    END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("community", "0008_class_versions_score")]

    operations = [
        migrations.RunSQL(
            CREATE_FUNCTION, "DROP FUNCTION IF EXISTS sqeeze_post_document(text, text);"
        ),
        migrations.RemoveIndex(model_name="post", name="posts_search_idx"),
        migrations.AddIndex(
            model_name="post",
            index=django.contrib.postgres.indexes.GinIndex(
                community.models.PostDocument("title", "content"), name="posts_search_idx"
            ),
        ),
    ]
