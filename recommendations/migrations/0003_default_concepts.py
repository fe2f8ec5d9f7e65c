from django.db import migrations


def add_default_concepts(apps, schema_editor):
    from recommendations.concepts import ensure_default_concepts

    ensure_default_concepts(
        apps.get_model("recommendations", "Concept"),
        apps.get_model("recommendations", "ListingTypeFit"),
        apps.get_model("experts", "Topic"),
        apps.get_model("experts", "ListingType"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0002_concept_vocabulary"),
        ("experts", "0004_http_links"),
    ]

    operations = [migrations.RunPython(add_default_concepts, migrations.RunPython.noop)]
