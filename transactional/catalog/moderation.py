"""What a review or an answer may say: printable text, not blank, not too long, no abuse.

The word list is deliberately small and whole-word (a "Scunthorpe" passes): it stops the plain
cases at the door; anything subtler is for human moderators, who see every review anyway.
"""

from __future__ import annotations

import re
import unicodedata

from transactional.common.text import NOT_BLANK

MAX_TEXT = 5_000
# Control characters but tab, line feed and carriage return: reviews have paragraphs. Spelled out
# for the schema's regex, pydantic's and Python's alike (see transactional/common/text.py).
CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_CONTROL = re.compile(f"[{CONTROL}]")
_WORD = re.compile(r"[^\W\d_]+")
ABUSIVE_WORDS = frozenset(
    {
        "arsehole", "asshole", "bastard", "bitch", "bitches", "bullshit", "cunt", "dickhead",
        "fuck", "fucked", "fucker", "fucking", "fucks", "motherfucker", "piss", "pissed",
        "retard", "retarded", "shit", "shithead", "shits", "shitty", "slut", "twat", "wanker",
        "whore",
    }
)  # fmt: skip


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def text_problem(text: str) -> tuple[str, str] | None:
    """None for acceptable text, else (kind, why): kind "invalid" or "abusive"."""
    if not re.search(NOT_BLANK, text):
        return "invalid", "must not be empty"
    if len(text) > MAX_TEXT:
        return "invalid", f"must be at most {MAX_TEXT} characters"
    if _CONTROL.search(text):
        return "invalid", "must not hold control characters"
    if any(word in ABUSIVE_WORDS for word in _WORD.findall(_folded(text))):
        return "abusive", "is abusive; please say it without insults or profanity"
    return None
