"""How a response's own details read on staff and partner pages: the language it was given in and
the channel it came through (codes are stored; these labels are for display only)."""
from __future__ import annotations

from flask_babel import pgettext

from .locale import BY_CODE


def language_labels() -> dict[str, str]:
    """Each language by its own name and its English one, or once where the two are the same."""
    return {code: f"{lang.native_name} ({lang.english_name})" if lang.native_name != lang.english_name
            else lang.english_name for code, lang in BY_CODE.items()}


def channel_labels() -> dict[str, str]:
    return {"web": pgettext("staff", "Online link"), "kiosk": pgettext("staff", "Kiosk"),
            "paper": pgettext("staff", "Paper form")}
