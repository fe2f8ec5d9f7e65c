"""The content generation row now belongs to ``website.freshness`` (state only: the table stays)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("wellness_api", "0001_content_generation"),
        ("freshness", "0001_content_generation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ContentGeneration")],
            database_operations=[],
        ),
    ]
