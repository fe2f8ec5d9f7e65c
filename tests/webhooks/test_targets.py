"""The SSRF guard (webhooks.targets): which URLs may receive webhooks."""

import pytest

from webhooks.targets import TargetRefused, resolve_target


@pytest.fixture
def private_refused(settings):
    settings.WELLNESS = {**settings.WELLNESS, "WEBHOOK_ALLOW_PRIVATE_TARGETS": False}


@pytest.mark.usefixtures("private_refused")
class TestRefusedWithTheSettingOff:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1/hook",
            "http://localhost:8000/hook",
            "http://10.1.2.3/hook",
            "http://172.16.0.9/hook",
            "http://192.168.1.1/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/hook",
            "http://0.0.0.0/hook",
            "http://[::1]/hook",
            "http://[fd00::1]/hook",
            "http://[fe80::1]/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://224.0.0.1/hook",
        ],
    )
    def test_private_loopback_link_local_and_reserved_addresses(self, url):
        with pytest.raises(TargetRefused, match="public addresses"):
            resolve_target(url)

    @pytest.mark.parametrize("url", ["ftp://203.0.113.9/x", "file:///etc/passwd", "gopher://8.8.8.8/"])
    def test_schemes_other_than_http_and_https(self, url):
        with pytest.raises(TargetRefused, match="Only http and https"):
            resolve_target(url)

    def test_credentials_in_the_url(self):
        with pytest.raises(TargetRefused, match="user name"):
            resolve_target("https://user:pw@8.8.8.8/hook")

    def test_public_address_is_accepted_and_pinned(self):
        target = resolve_target("https://8.8.8.8:8443/hooks/cms?site=1")
        assert (target.scheme, target.host, target.port, target.path, target.address) == (
            "https",
            "8.8.8.8",
            8443,
            "/hooks/cms?site=1",
            "8.8.8.8",
        )


def test_loopback_is_accepted_when_the_setting_allows_it(settings):
    settings.WELLNESS = {**settings.WELLNESS, "WEBHOOK_ALLOW_PRIVATE_TARGETS": True}
    assert resolve_target("http://127.0.0.1:9/hook").address == "127.0.0.1"


def test_private_targets_are_refused_by_default_in_base_settings():
    from webhooks.conf import DEFAULTS

    assert DEFAULTS["WEBHOOK_ALLOW_PRIVATE_TARGETS"] is False
