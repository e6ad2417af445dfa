"""Settings: built-in defaults < config file < environment < command-line options.

The config file is TOML in the user's config directory (platformdirs), e.g.
``~/.config/cardscan/config.toml`` on Linux::

    region = "MX"          # default country for numbers printed without +CC
    lang = "spa+eng"       # Tesseract languages
    book = "~/Contacts/cards"
    ui_lang = "es"         # language of the prompt: es | en

Environment variables: CARDSCAN_REGION, CARDSCAN_LANG, CARDSCAN_BOOK,
CARDSCAN_UI_LANG, and CARDSCAN_CONFIG to point at another config file.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

import platformdirs

from cardscan.errors import ConfigError

APP = "cardscan"
DEFAULT_REGION = "ES"
DEFAULT_LANG = "spa+eng"
UI_LANGS = ("es", "en")


@dataclass(frozen=True)
class Settings:
    region: str
    lang: str
    book: Path
    ui_lang: str
    #: where each value came from: "default", "file", "env" or "option"
    origin: dict[str, str]
    config_file: Path


def config_file_path() -> Path:
    env = os.environ.get("CARDSCAN_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def default_book() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "book"


def _locale_tag() -> str:
    """The user's locale, e.g. 'es_MX', from the environment (LC_ALL > LC_MESSAGES > LANG)."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value.split(".")[0]
    return ""


def region_from_locale() -> str | None:
    """'es_MX' -> 'MX'; None when the locale names no country."""
    tag = _locale_tag()
    if "_" in tag:
        country = tag.split("_", 1)[1][:2].upper()
        if len(country) == 2 and country.isalpha():
            return country
    return None


def ui_lang_from_locale() -> str:
    return "es" if _locale_tag().lower().startswith("es") else "en"


#: What each layer is called in messages: the file's path, the variable, the option.
_ENV_NAMES = {"region": "CARDSCAN_REGION", "lang": "CARDSCAN_LANG", "book": "CARDSCAN_BOOK",
              "ui_lang": "CARDSCAN_UI_LANG"}
_OPTION_NAMES = {"region": "--region", "lang": "--lang", "book": "--book", "ui_lang": "--ui-lang"}
_LANG_PART = re.compile(r"^[A-Za-z0-9_/-]+$")


def _validate(name: str, value: str, where: str) -> str:
    value = value.strip()
    if name == "region":
        import phonenumbers

        value = value.upper()
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ConfigError(f"{where}: unknown region {value!r} (use an ISO code such as ES, MX, US, GB)")
    elif name == "ui_lang":
        value = value.lower()[:2]
        if value not in UI_LANGS:
            raise ConfigError(f"{where}: ui_lang must be one of {', '.join(UI_LANGS)}, not {value!r}")
    elif name == "lang":
        if not value:
            raise ConfigError(f"{where}: lang must name at least one Tesseract language")
        bad = [part for part in value.split("+") if not _LANG_PART.match(part)]
        if bad:
            raise ConfigError(f"{where}: {value!r} is not a list of Tesseract languages "
                              "(write them joined by +, e.g. spa+eng)")
    return value


def load(**options: str | Path | None) -> Settings:
    """Settings in force, given the command-line options (None means not given)."""
    values: dict[str, object] = {
        "region": region_from_locale() or DEFAULT_REGION,
        "lang": DEFAULT_LANG,
        "book": default_book(),
        "ui_lang": ui_lang_from_locale(),
    }
    origin = dict.fromkeys(values, "default")
    if region_from_locale():
        origin["region"] = "locale"
    if _locale_tag():
        origin["ui_lang"] = "locale"

    path = config_file_path()
    file_values: dict[str, object] = {}
    if path.is_file():
        try:
            file_values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the config file: {exc}") from exc
    unknown = sorted(set(file_values) - set(values))
    if unknown:
        raise ConfigError(f"{path}: unknown setting {unknown[0]!r} "
                          f"(the settings are: {', '.join(values)})")
    for name, raw in file_values.items():
        if not isinstance(raw, str):
            raise ConfigError(f'{path}: {name} must be a string in quotes, e.g. {name} = "..."')
    layers = [
        ("file", {k: file_values.get(k) for k in values}),
        ("env", {k: os.environ.get(f"CARDSCAN_{k.upper()}") for k in values}),
        ("option", {k: options.get(k) for k in values}),
    ]
    for where, layer in layers:
        for name, raw in layer.items():
            if raw is None or raw == "":
                continue
            if name == "book":
                values[name] = Path(str(raw)).expanduser()
            else:
                label = {"file": str(path), "env": _ENV_NAMES[name]}.get(where, _OPTION_NAMES[name])
                values[name] = _validate(name, str(raw), label)
            origin[name] = where
    return Settings(
        region=str(values["region"]),
        lang=str(values["lang"]),
        book=Path(values["book"]),  # type: ignore[arg-type]
        ui_lang=str(values["ui_lang"]),
        origin=origin,
        config_file=path,
    )


def with_options(settings: Settings, **options: str | Path | None) -> Settings:
    """A copy of `settings` with the given options applied (None leaves a value alone)."""
    known = {f.name for f in fields(Settings)}
    given = {k: v for k, v in options.items() if v is not None and k in known}
    origin = dict(settings.origin) | dict.fromkeys(given, "option")
    return replace(settings, **given, origin=origin)
