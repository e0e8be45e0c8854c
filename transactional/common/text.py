"""Rules on free text that the API schema states and the domain checks, written so both agree.

Spelled out rather than `\\s`: Python, the schema's ECMA regex and pydantic's Rust regex each
count different characters as whitespace (\\x1c-\\x1f, \\x85, \\ufeff), and a value one of them
passes and another refuses is a request the schema calls valid and the store rejects."""

from __future__ import annotations

# Control characters and every character any of the three counts as whitespace.
BLANK = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# Somewhere in the text, one character that is not blank: what survives `str.strip()`.
NOT_BLANK = rf"[^{BLANK}]"
