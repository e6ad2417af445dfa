"""Settings precedence: defaults < config file < environment < options."""

from pathlib import Path

import pytest

from cardscan import config
from cardscan.errors import ConfigError, ExitCode


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for var in ("CARDSCAN_REGION", "CARDSCAN_LANG", "CARDSCAN_BOOK", "CARDSCAN_UI_LANG", "LC_ALL",
                "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    cfg = tmp_path / "config.toml"
    monkeypatch.setenv("CARDSCAN_CONFIG", str(cfg))
    return cfg


def test_defaults_without_locale_or_file(clean_env):
    settings = config.load()
    assert settings.region == "ES"
    assert settings.lang == "spa+eng"
    assert settings.ui_lang == "en"
    assert settings.origin["region"] == "default"
    assert settings.book.name == "book"


def test_locale_gives_region_and_prompt_language(clean_env, monkeypatch):
    monkeypatch.setenv("LANG", "es_MX.UTF-8")
    settings = config.load()
    assert settings.region == "MX"
    assert settings.ui_lang == "es"


def test_file_then_env_then_option(clean_env, monkeypatch, tmp_path):
    clean_env.write_text('region = "gb"\nlang = "eng"\nbook = "~/cards"\nui_lang = "es"\n')
    settings = config.load()
    assert (settings.region, settings.lang, settings.ui_lang) == ("GB", "eng", "es")
    assert settings.book == Path("~/cards").expanduser()
    assert settings.origin["region"] == "file"

    monkeypatch.setenv("CARDSCAN_REGION", "MX")
    assert config.load().region == "MX"
    assert config.load().origin["region"] == "env"

    settings = config.load(region="us", book=tmp_path / "b")
    assert settings.region == "US"
    assert settings.book == tmp_path / "b"
    assert settings.origin["region"] == settings.origin["book"] == "option"
    assert settings.lang == "eng"  # untouched options keep the file's value


def test_bad_values_are_config_errors(clean_env):
    with pytest.raises(ConfigError, match="unknown region 'XX'"):
        config.load(region="XX")
    clean_env.write_text("region = [broken")
    with pytest.raises(ConfigError) as info:
        config.load()
    assert info.value.exit_code == ExitCode.BAD_CONFIG
    assert "config.toml" in str(info.value)


def test_with_options_overrides_only_given_values(clean_env):
    settings = config.with_options(config.load(), region="PT", lang=None)
    assert settings.region == "PT"
    assert settings.lang == "spa+eng"
    assert settings.origin["region"] == "option"


def test_unknown_or_mistyped_settings_in_the_file_are_named(clean_env):
    clean_env.write_text('regoin = "MX"\n')
    with pytest.raises(ConfigError, match="unknown setting 'regoin'"):
        config.load()
    clean_env.write_text("region = 34\n")
    with pytest.raises(ConfigError, match="region must be a string"):
        config.load()


def test_messages_name_the_variable_or_option_that_is_wrong(clean_env, monkeypatch):
    monkeypatch.setenv("CARDSCAN_REGION", "ZZ")
    with pytest.raises(ConfigError, match=r"^CARDSCAN_REGION: unknown region 'ZZ'"):
        config.load()
    monkeypatch.delenv("CARDSCAN_REGION")
    with pytest.raises(ConfigError, match=r"^--ui-lang: "):
        config.load(ui_lang="fr")
    with pytest.raises(ConfigError, match="not a list of Tesseract languages"):
        config.load(lang="spa eng")
    assert config.load(lang="chi_sim+eng").lang == "chi_sim+eng"


def test_origin_says_when_the_locale_decided(clean_env, monkeypatch):
    monkeypatch.setenv("LANG", "es_MX.UTF-8")
    settings = config.load()
    assert settings.origin["region"] == settings.origin["ui_lang"] == "locale"
