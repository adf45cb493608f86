"""Text folding used for matching headers, enumerations and authority names."""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: object) -> str:
    """Case-, umlaut-, accent-, whitespace- and punctuation-insensitive key.

    ``Vorhaben-Nr.`` and ``vorhaben nr`` both become ``vorhabennr``; ``Grün `` and ``gruen``
    become ``gruen``. Emoji carry no letters, so they are kept (without variation selectors).
    """
    raw = unicodedata.normalize("NFC", str(text)).strip().lower().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", raw)
    ascii_part = "".join(c for c in decomposed if not unicodedata.combining(c))
    key = _NON_ALNUM.sub("", ascii_part)
    if key:
        return key
    return "".join(c for c in raw if not c.isspace() and c not in "\ufe0f\u200d")
