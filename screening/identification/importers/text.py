"""The importers' words: English, unless the app installs a translation.

The parsers stay free of Django; messages are marked `_("... %(name)s ...") % {...}` (named
placeholders, so `makemessages` finds them and a translation may reorder them) and looked up when
they are made. The screening app installs Django's gettext at start-up (`ScreeningConfig.ready`),
so a message is in the language active where the parse runs: the uploader's, for an import.
Run without Django (a script, a benchmark) they stay English.
"""

from __future__ import annotations

from collections.abc import Callable


def _english(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


_hooks: dict[str, Callable] = {"gettext": _english, "ngettext": _english_plural}


def install(gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str]) -> None:
    """Look the importers' messages up with these (Django's gettext and ngettext)."""
    _hooks["gettext"] = gettext
    _hooks["ngettext"] = ngettext


def uninstall() -> None:
    """Back to English (tests)."""
    _hooks["gettext"] = _english
    _hooks["ngettext"] = _english_plural


def _(message: str) -> str:
    return _hooks["gettext"](message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _hooks["ngettext"](singular, plural, n)


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogue where it is defined (a module constant); `_` it where
    it is shown."""
    return message
