"""Languages and how one is chosen for a request.

Survey pages follow one chain, as a respondent would expect: `?lang=` on the link,
then the choice kept in the session, then the browser's Accept-Language, then English.
Staff and partner pages have a chain of their own, so that opening a family's link
never changes them: the user's saved setting, then the setting kept in the session
before logging in, then Accept-Language, then English, among the languages whose
staff pages are fully translated. Catalogs
are found by folder name under `translations/`, so languages that Babel's CLDR
data does not know (Hmong, Karen, Dari) are served in full; only number and date
formatting falls back to a related locale.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypeVar

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations
from flask import current_app, g, request, session
from flask_babel import Domain
from flask_login import current_user
from markupsafe import Markup


T = TypeVar("T")


@dataclass(frozen=True)
class Language:
    code: str          # as used in links and stored with responses: `zh-Hans`
    native_name: str   # the language's name in its own script, for the menu
    english_name: str
    rtl: bool = False
    formatting_locale: str | None = None  # for Babel, when CLDR lacks the language
    # For a survey language the service has no catalog for: the language whose buttons and messages it shows.
    interface: str | None = None

    @property
    def folder(self) -> str:
        return (self.interface or self.code).replace("-", "_")

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def babel_locale(self) -> str:
        return self.formatting_locale or self.folder


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", "English"),
    Language("es", "Español", "Spanish"),
    Language("zh-Hans", "简体中文", "Chinese (Simplified)"),
    Language("zh-Hant", "繁體中文", "Chinese (Traditional)"),
    Language("ar", "العربية", "Arabic", rtl=True),
    Language("vi", "Tiếng Việt", "Vietnamese"),
    Language("ht", "Kreyòl ayisyen", "Haitian Creole"),
    Language("pt", "Português", "Portuguese"),
    Language("kea", "Kabuverdianu (Kriolu)", "Cape Verdean Creole"),
    Language("ru", "Русский", "Russian"),
    Language("uk", "Українська", "Ukrainian"),
    Language("so", "Soomaali", "Somali"),
    Language("hmn", "Hmoob", "Hmong", formatting_locale="en"),
    Language("ksw", "ကညီကျိာ်", "Karen (S'gaw)", formatting_locale="my"),
    Language("bn", "বাংলা", "Bengali"),
    Language("prs", "دری", "Dari", rtl=True, formatting_locale="fa_AF"),
    Language("ur", "اردو", "Urdu", rtl=True),
    Language("pl", "Polski", "Polish"),
    Language("ckb", "کوردی (سۆرانی)", "Kurdish (Sorani)", rtl=True),
)
BY_CODE = {language.code: language for language in LANGUAGES}
# CLDR names Dari as the Afghan variety of Persian.
CLDR_NAME_KEYS = {"prs": "fa_AF"}
DEFAULT = "en"
# Pages for logged-in partner, staff and translator users, and the log-in page that leads to them.
STAFF_BLUEPRINTS = frozenset({"staff", "partner", "review", "auth"})
STAFF_PATHS = ("/staff/", "/partner/", "/review/", "/login", "/logout", "/account/")
STAFF_SESSION_KEY = "staff_lang"


def available_codes() -> tuple[str, ...]:
    """Languages with a compiled catalog (English needs none)."""
    return current_app.extensions["survey_languages"]


def discover(translations_dir: Path, complete: set[str] | None = None) -> tuple[str, ...]:
    """Checked at start-up: which known languages have a compiled catalog on disk
    (and, when `complete` is given, a fully translated one)."""
    found = [DEFAULT]
    for language in LANGUAGES[1:]:
        if (translations_dir / language.folder / "LC_MESSAGES" / "messages.mo").exists():
            Locale.parse(language.babel_locale)  # fail at start-up, not on a request
            if complete is None or language.code in complete:
                found.append(language.code)
    return tuple(found)


def staff_codes() -> tuple[str, ...]:
    """Languages the staff and partner pages are fully translated into: the user's menu."""
    return current_app.extensions["staff_languages"]


def is_staff_request() -> bool:
    if request.blueprint is not None:
        return request.blueprint in STAFF_BLUEPRINTS
    return request.path.startswith(STAFF_PATHS)


def normalise_code(code: str | None) -> str | None:
    """`es-MX` -> `es`, `zh-CN` -> `zh-Hans`, `zh_TW` -> `zh-Hant`; unknown -> None."""
    if not code:
        return None
    code = code.strip().replace("_", "-")
    lowered = code.lower()
    for language in LANGUAGES:
        if language.code.lower() == lowered:
            return language.code
    if lowered.startswith("zh"):
        traditional = any(tag in lowered for tag in ("hant", "-tw", "-hk", "-mo"))
        return "zh-Hant" if traditional else "zh-Hans"
    if lowered in ("fa-af",):
        return "prs"
    base = lowered.split("-")[0]
    return base if base in BY_CODE else None


def interface_code(code: str) -> str:
    """The catalog a survey language's buttons and messages come from: its own, else the closest
    (`es` for `es-MX`), else English."""
    if code in BY_CODE:
        return code
    return normalise_code(code) or DEFAULT


def language_for(code: str) -> Language:
    """Any language a survey is written in, including those the service has no catalog for."""
    return BY_CODE.get(code) or _survey_only_language(code)


@lru_cache(maxsize=256)
def _survey_only_language(code: str) -> Language:
    interface = interface_code(code)
    try:
        found = Locale.parse(code, sep="-")
    except (ValueError, UnknownLocaleError):
        # Not in CLDR: the code stands for the name, and numbers and dates follow the interface's language.
        return Language(code, code, code, formatting_locale=BY_CODE[interface].babel_locale, interface=interface)
    return Language(code, found.display_name or code, found.get_display_name("en") or code,
                    rtl=found.character_order == "right-to-left", formatting_locale=str(found), interface=interface)


def _pick(value: str | None, offered: tuple[str, ...]) -> str | None:
    """The offered language that `value` (`fr`, `fr-CA`, `zh-CN`) asks for, if any."""
    if not value:
        return None
    lowered = value.strip().replace("_", "-").lower()
    by_lower = {code.lower(): code for code in offered}
    if lowered in by_lower:
        return by_lower[lowered]
    code = normalise_code(value)
    if code in offered:
        return code
    return by_lower.get(lowered.split("-")[0])


def choose(offered: tuple[str, ...]) -> str:
    """The request's language among `offered`, following the chain above."""
    explicit = _pick(request.args.get("lang"), offered)
    if explicit is not None:
        session["lang"] = explicit
        return explicit
    kept = session.get("lang")
    if kept in offered:
        return kept
    for value, _quality in request.accept_languages:
        code = _pick(value, offered)
        if code is not None:
            return code
    return DEFAULT if DEFAULT in offered else offered[0]


def choose_staff(offered: tuple[str, ...]) -> str:
    """The language of a staff or partner page: never `?lang=` nor the survey's choice."""
    saved = getattr(current_user, "page_language", None) if current_user else None
    if saved in offered:
        return saved
    kept = session.get(STAFF_SESSION_KEY)
    if kept in offered:
        return kept
    for value, _quality in request.accept_languages:
        code = normalise_code(value)
        if code in offered:
            return code
    return DEFAULT


def current() -> Language:
    code = getattr(g, "language", None)
    if code is None:
        code = g.language = choose_staff(staff_codes()) if is_staff_request() else choose(available_codes())
    return language_for(code)


def name_for_reader(language: Language) -> str:
    """The language's name in the language of the page being shown (`somalí` on a Spanish staff page),
    from CLDR; its English name where CLDR has none (Karen) or the page is in English."""
    reader = current()
    if reader.code == DEFAULT:
        return language.english_name
    try:
        names = Locale.parse(reader.babel_locale).languages
    except (ValueError, UnknownLocaleError):
        return language.english_name
    key = CLDR_NAME_KEYS.get(language.code, language.code.replace("-", "_"))
    return names.get(key) or language.english_name


def day_html(value: date, pattern: str = "%Y-%m-%d") -> Markup:
    """A date (or a time, with `pattern`) written year-month-day, as one left-to-right piece in any
    sentence: in right-to-left text a bare `2026-09-01` reads `01-09-2026`. It never breaks across lines."""
    machine = value.isoformat(timespec="seconds") if isinstance(value, datetime) else value.isoformat()
    return Markup('<time datetime="{}">{}</time>').format(machine, value.strftime(pattern))


def set_current(code: str) -> None:
    g.language = code


def call_in(code: str, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function`'s result with the page's language switched to `code` while it runs: a staff page
    in the staff member's language can show a survey's parts as families in another language see them."""
    before = current().code
    set_current(code)
    try:
        return function(*args, **kwargs)
    finally:
        set_current(before)


def babel_locale_selector() -> str:
    return current().babel_locale


class FolderDomain(Domain):
    """Loads the catalog by the language's folder name rather than by Babel locale,
    so a language without CLDR data still finds its messages."""

    def get_translations(self) -> Translations | NullTranslations:
        language = current()
        cache = self.cache
        if language.code in cache:
            return cache[language.code]
        translations: Translations | NullTranslations = NullTranslations()
        for directory in self.translation_directories:
            path = Path(directory) / language.folder / "LC_MESSAGES" / "messages.mo"
            if path.exists():
                with path.open("rb") as handle:
                    translations = Translations(handle, domain="messages")
                break
        cache[language.code] = translations
        return translations
