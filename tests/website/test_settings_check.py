"""The system check that names WELLNESS keys no app reads (a misspelt or renamed setting)."""

from django.core.management import call_command

from website.checks import check_wellness_settings, known_settings


def ids_and_messages(settings_wellness, settings):
    settings.WELLNESS = settings_wellness
    return [(p.id, p.msg, p.hint) for p in check_wellness_settings()]


def test_every_key_the_project_sets_is_known(settings):
    assert check_wellness_settings() == []
    assert set(settings.WELLNESS) <= known_settings()


def test_every_app_s_settings_are_known():
    for key in (
        "API_PAGE_SIZE",
        "RECOMMENDATIONS_NEIGHBOURS",
        "SEARCH_ENGINE_URL",
        "CONTENT_SECURITY_POLICY",
    ):
        assert key in known_settings()


def test_a_renamed_setting_is_named_with_its_new_name(settings):
    ((code, message, hint),) = ids_and_messages({"BUNDLE_MAX_BYTES": 10}, settings)
    assert code == "wellness.W001"
    assert "'BUNDLE_MAX_BYTES'" in message and "ignored" in message
    assert "CONTENT_PACKAGE_MAX_BYTES" in hint


def test_a_misspelt_setting_gets_the_closest_known_one(settings):
    ((code, message, hint),) = ids_and_messages({"API_PAGESIZE": 12, "API_MAX_PAGE_SIZE": 50}, settings)
    assert code == "wellness.W001" and "'API_PAGESIZE'" in message
    assert "'API_PAGE_SIZE'" in hint


def test_wellness_that_is_not_a_dict_is_an_error(settings):
    ((code, message, _),) = ids_and_messages(["API_PAGE_SIZE"], settings)
    assert code == "wellness.E001" and "dict" in message


def test_manage_py_check_reports_it(settings, capsys):
    settings.WELLNESS = {**settings.WELLNESS, "BUNDLE_MAX_BYTES": 10}
    call_command("check")
    assert "wellness.W001" in capsys.readouterr().err
