"""Keeping personal data out of citizens' free text wherever it leaves its handlers.

Citizens sign a description with their name, add a phone number "for the inspector", or type
their LINE id. Before such text is shown to anyone who may not see the petitioner (the public
Open311 answers and nearby list, supporting agencies, the mayor's office), `mask_personal_data`
replaces with `MASK`:

- the petitioner's own name, e-mail, phone and postal address, wherever they appear;
- anything shaped like contact data: e-mail addresses (also written `[at]`, `(at)`, ` at `,
  `＠`), Taiwanese mobile and landline numbers, national ID and resident certificate numbers,
  LINE ids (`LINE: abc123`, `line id：xxx`, `賴：xxx`).

Full-width forms (０９１２, ＠, ：) are folded to ASCII first, one character for one, so every
match maps back onto the original text. Digits may be separated by spaces, hyphens,
underscores, dots or brackets, as people type them.

Every pattern runs in time linear in the text (an anonymous visitor chooses the text): each one
can only start where its kind of run starts (a negative look-behind on the run's own class), and
consumes that run with a possessive or bounded quantifier that never backtracks into it. So a
4,000-character `a.a.a.…` or `1-1-1-…` is read once, not once per position.
"""

import re

MASK = "***"

# Full-width ASCII (U+FF01–U+FF5E) and the ideographic space, and dashes and dots that IMEs
# type, folded to their ASCII look-alikes: one character for one, so positions do not move.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD.update(
    {
        0x3000: ord(" "),
        0x2010: ord("-"),
        0x2011: ord("-"),
        0x2012: ord("-"),
        0x2013: ord("-"),
        0x2014: ord("-"),
        0x2015: ord("-"),
        0x2212: ord("-"),
        0x30FC: ord("-"),
        0x2027: ord("."),
        0x30FB: ord("."),
        0x00B7: ord("."),
        0x3010: ord("["),
        0x3011: ord("]"),
    }
)
_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}

# Between two digits of one number: up to two of these (0912-345-678, 0912 345 678, 07_1234567).
_SEP = r"[ \t._\-()\[\]/]{0,2}"
_AT = r"(?:@|[ \t]{0,2}[\[(<{][ \t]{0,2}at[ \t]{0,2}[\])>}][ \t]{0,2}|[ \t]{1,2}at[ \t]{1,2})"
_DOT = r"(?:\.|[ \t]{0,2}[\[(<{][ \t]{0,2}dot[ \t]{0,2}[\])>}][ \t]{0,2}|[ \t]{1,2}dot[ \t]{1,2})"

_PATTERNS = (
    # E-mail: the local part starts where its run starts and is read once (possessive).
    re.compile(
        rf"(?<![A-Za-z0-9_.+\-])[A-Za-z0-9_.+\-]++{_AT}"
        rf"[A-Za-z0-9\-]{{1,63}}+(?:{_DOT}[A-Za-z0-9\-]{{1,63}}+){{0,6}}"
        rf"{_DOT}[A-Za-z]{{2,24}}+(?![A-Za-z0-9\-])",
        re.IGNORECASE | re.ASCII,
    ),
    # National ID (身分證字號) and resident certificates: a letter, 1/2, A-D or 8/9, 8 digits.
    re.compile(
        rf"(?<![A-Za-z0-9])[A-Za-z]{_SEP}[12ABCD89](?:{_SEP}\d){{8}}(?!\d)",
        re.IGNORECASE | re.ASCII,
    ),
    # Mobile and landline numbers: 0 and 8 or 9 more digits (09xx-xxx-xxx, (07)123-4567,
    # 02 2345 6789), or +886 / 886 and 8 or 9 more digits, an optional (0) after the code.
    re.compile(
        rf"(?<![\d+])(?:\(?0|\+?886{_SEP}(?:\(0\))?{_SEP})(?:{_SEP}\d){{8,9}}(?!\d)",
        re.ASCII,
    ),
    # LINE ids after a label: "LINE: abc123", "line id：xxx", "賴：xxx", "加賴 id xxx".
    re.compile(
        r"(?:(?<![A-Za-z])line|賴)(?:[ \t]{0,3}id[ \t]{0,3}[:=]?|[ \t]{0,3}[:=])[ \t]{0,3}"
        r"(?P<v>@?[A-Za-z0-9._\-]{1,40}+)",
        re.IGNORECASE | re.ASCII,
    ),
)
# A one-character "name" would mask every occurrence of a common character.
_MIN_NAME_LENGTH = 2
# The street part of a postal address: what follows the city and district (高雄市苓雅區…).
_ADDRESS_TAIL = re.compile(r"(?:^|[市縣區鄉鎮村里])([^市縣區鄉鎮村里]{2,40}?(?:路|街|大道|巷)\S*)$")
_NUMBERED = re.compile(r"^(.{2,40}?號)")
_NON_DIGIT = re.compile(r"\D")


def fold(text: str) -> str:
    """`text` with full-width forms as ASCII, one character for one."""
    return text.translate(_FOLD)


def _address_variants(address: str) -> list[str]:
    address = fold(address).strip().replace(" ", "")
    if len(address) < 4:
        return []
    found = {address}
    tail = _ADDRESS_TAIL.search(address)
    if tail and any(c.isdigit() for c in tail.group(1)):
        found.add(tail.group(1))
        # Written without the floor: 四維三路2號 for 四維三路2號5樓.
        numbered = _NUMBERED.match(tail.group(1))
        if numbered and any(c.isdigit() for c in numbered.group(1)):
            found.add(numbered.group(1))
    return list(found)


def _own_variants(name: str, email: str, phone: str, address: str) -> list[str]:
    found = set()
    name = fold(name).strip()
    if len(name) >= _MIN_NAME_LENGTH:
        found.add(name)
    if fold(email).strip():
        found.add(fold(email).strip())
    digits = _NON_DIGIT.sub("", fold(phone))
    if len(digits) >= 6:
        found.update({fold(phone).strip(), digits})
    found.update(_address_variants(address))
    # Longest first, so a value is masked whole rather than around a shorter form of it.
    return sorted((v.translate(_LOWER) for v in found), key=len, reverse=True)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class PersonalDataMask:
    """One petitioner's masking, for several of their texts (subject, description, address)."""

    def __init__(self, *, name: str = "", email: str = "", phone: str = "", address: str = ""):
        self.own = _own_variants(name or "", email or "", phone or "", address or "")

    def __call__(self, text: str) -> str:
        if not text:
            return text
        folded = fold(text)
        lowered = folded.translate(_LOWER)
        spans = []
        for value in self.own:
            start = lowered.find(value)
            while start != -1:
                spans.append((start, start + len(value)))
                start = lowered.find(value, start + len(value))
        for pattern in _PATTERNS:
            for match in pattern.finditer(folded):
                group = "v" if "v" in pattern.groupindex else 0
                spans.append(match.span(group))
        if not spans:
            return text
        out, last = [], 0
        for start, end in _merge(spans):
            out.append(text[last:start])
            out.append(MASK)
            last = end
        out.append(text[last:])
        return "".join(out)


def mask_personal_data(
    text: str, *, name: str = "", email: str = "", phone: str = "", address: str = ""
) -> str:
    """`text` with the given personal details and anything shaped like contact data masked."""
    return PersonalDataMask(name=name, email=email, phone=phone, address=address)(text)
