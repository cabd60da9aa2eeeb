"""Full-text search index for `q=` on PostgreSQL (GIN over headline, dek and body).

The expression must stay identical to the one ``articles.search`` queries with, or
PostgreSQL will not use the index. SQLite has no such index; search there scans.
"""

from django.db import migrations

INDEX = "article_search_gin"
EXPRESSION = (
    "to_tsvector('english'::regconfig, COALESCE(headline, '') || ' ' || COALESCE(dek, '') || ' ' || COALESCE(body, ''))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article USING gin ({EXPRESSION})")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_article_unique_draft_slug")]

    operations = [migrations.RunPython(create_index, drop_index)]
