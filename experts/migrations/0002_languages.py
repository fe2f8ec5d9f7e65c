"""Fill the Language table with every ISO 639-1 language."""

from django.db import migrations


def add_languages(apps, schema_editor):
    import pycountry

    Language = apps.get_model("experts", "Language")
    Language.objects.bulk_create(
        [Language(code=lang.alpha_2, name=lang.name) for lang in pycountry.languages if hasattr(lang, "alpha_2")],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("experts", "0001_initial")]
    operations = [migrations.RunPython(add_languages, migrations.RunPython.noop)]
