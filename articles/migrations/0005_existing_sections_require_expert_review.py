"""Existing sections require expert review to publish (issue 12, finding 6).

The new field's default already fills existing rows; this step says so on purpose, so that the
decision does not change if the field's default ever does. An editor can untick it per section.
"""

from django.db import migrations


def require_review_in_existing_sections(apps, schema_editor):
    SectionPage = apps.get_model("articles", "SectionPage")
    SectionPage.objects.update(expert_review_required=True)


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_section_expert_review_required_publish_override")]

    operations = [
        migrations.RunPython(require_review_in_existing_sections, migrations.RunPython.noop),
    ]
