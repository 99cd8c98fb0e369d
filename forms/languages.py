"""Language codes in survey definitions, however an XLSForm names the language.

ODK writes `label::English (en)`; older forms write only a name (`label::French`) or only a code
(`label::fr`). The code is what the service keeps; names are looked up in the service's own list and
then in Babel's CLDR names, so any language CLDR knows needs no code.
"""
from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError, localedata

# The service's languages, named as its forms write them; some (Karen, Dari) are not in CLDR as such.
LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "zh-Hans": "Chinese (Simplified)", "zh-Hant": "Chinese (Traditional)",
    "ar": "Arabic", "vi": "Vietnamese", "ht": "Haitian Creole", "pt": "Portuguese", "kea": "Cape Verdean Creole",
    "ru": "Russian", "uk": "Ukrainian", "so": "Somali", "hmn": "Hmong", "ksw": "Karen", "bn": "Bengali",
    "prs": "Dari", "ur": "Urdu", "pl": "Polish", "ckb": "Kurdish (Sorani)",
}
# `fr`, `pt-BR`, `zh-Hans`, `sr-Latn-RS`, and ISO 639-3 codes such as `swh`.
_CODE = re.compile(r"^(?P<base>[A-Za-z]{2,3})(?P<rest>(?:[-_][A-Za-z0-9]{2,8})*)$")
# The code is in the last brackets: `label::Chinese (Simplified) (zh-Hans)`.
_NAMED = re.compile(r"^(?P<name>.*)\((?P<code>[^()]+)\)\s*$")


# The two tables below are built once per process, not per app: they hold CLDR's data, which never
# changes while the process runs and depends on no input. Building them takes about 5 ms and 2 s of
# CPU, and reading a workbook asks for the first once per language column.
@lru_cache(maxsize=1)
def _codes_by_name() -> dict[str, str]:
    """English names, from CLDR and the service's own list: `French`, `Swahili`, `Karen`."""
    found = {name.lower(): code.replace("_", "-") for code, name in Locale("en").languages.items()}
    found.update({name.lower(): code for code, name in LANGUAGE_NAMES.items()})
    return found


@lru_cache(maxsize=1)
def _codes_by_own_name() -> dict[str, str]:
    """Names in the language itself (`Español`, `Français`, `Kiswahili`), for the languages CLDR has
    data for. Building this reads every CLDR locale, so it is only done when an English name fails."""
    found: dict[str, str] = {}
    for identifier in localedata.locale_identifiers():
        if "_" not in identifier:
            name = Locale.parse(identifier).get_language_name(identifier)
            if name:
                found.setdefault(name.lower(), identifier)
    return found


def _canonical(base: str, rest: str) -> str:
    parts = [part for part in re.split(r"[-_]", rest) if part]
    tidy = [part.title() if len(part) == 4 else part.upper() if len(part) == 2 and part.isalpha() else part
            for part in parts]
    return "-".join([base.lower(), *tidy])


def language_code(written: str) -> str | None:
    """`en`, `English (en)`, `English (EN)`, `French` or `label:Español` -> the code; None when unknown."""
    written = written.strip()
    named = _NAMED.match(written)
    if named:
        code = _CODE.match(named["code"].strip())
        if code:
            return _canonical(code["base"], code["rest"])
        return language_code(named["name"]) if named["name"].strip() else None
    by_name = _codes_by_name().get(written.lower())
    if by_name:
        return by_name
    code = _CODE.match(written)
    if code:
        return _canonical(code["base"], code["rest"])
    return _codes_by_own_name().get(written.lower())


def language_name(code: str) -> str:
    """The English name of a language, for column headers: `French` for `fr`, the code when unknown."""
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    try:
        return Locale.parse(code, sep="-").get_display_name("en") or code
    except (ValueError, UnknownLocaleError):
        return code
