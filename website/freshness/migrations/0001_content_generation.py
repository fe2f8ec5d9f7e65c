"""The content generation row moves from the API app to the freshness leaf: state only, same table."""

import django.utils.timezone
from django.db import migrations, models

import website.freshness.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("wellness_api", "0001_content_generation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ContentGeneration",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("token", models.CharField(default=website.freshness.models.new_token, max_length=32)),
                        ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        "verbose_name": "content generation",
                        "db_table": "wellness_api_contentgeneration",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
