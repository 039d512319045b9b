"""Keeping personal data out of public free text.

Citizens often sign a description with their name or add a phone number "for the inspector".
The public Open311 answers show the description, so before it leaves the portal this masks the
petitioner's own name, email and phone wherever they appear, and anything shaped like an email
address, a Taiwanese phone number or a national ID number.
"""

import re

MASK = "***"

_PATTERNS = (
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # National ID (身分證字號) and resident certificate numbers: a letter, 1/2 or A-D, 8 digits.
    re.compile(r"(?<![A-Za-z0-9])[A-Za-z][12ABCDabcd]\d{8}(?!\d)"),
    # Mobile numbers: 09xx-xxx-xxx, also written with spaces, dots or +886 9xx...
    re.compile(r"(?<![\d+])(?:\+?886[-\s.]?|0)9\d{2}[-\s.]?\d{3}[-\s.]?\d{3}(?!\d)"),
    # Landlines: (07)123-4567, 07-1234567, 02 2345 6789, +886-7-1234567
    re.compile(
        r"(?<![\d+])(?:\(0\d{1,2}\)|(?:\+?886[-\s.]?|0)\d{1,2})[-\s.]?\d{3,4}[-\s.]?\d{4}(?!\d)"
    ),
)
# All of them in one pass over the text, in the order above.
_CONTACT = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in _PATTERNS))
# A one-character "name" would mask every occurrence of a common character.
_MIN_NAME_LENGTH = 2


def _variants(name: str, email: str, phone: str) -> list[str]:
    found = []
    if len(name.strip()) >= _MIN_NAME_LENGTH:
        found.append(name.strip())
    if email.strip():
        found.append(email.strip())
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 6:
        found.extend({phone.strip(), digits})
    # Longest first, so a phone is masked whole rather than around its digits-only form.
    return sorted(found, key=len, reverse=True)


# Every pattern above needs an "@" or three digits in a row: text with neither is left alone
# without running them (most descriptions).
_MAY_HOLD_CONTACT = re.compile(r"@|\d{3}")


class PersonalDataMask:
    """One petitioner's masking, for several of their texts (description, address)."""

    def __init__(self, *, name: str = "", email: str = "", phone: str = ""):
        # Compiled only where found: a list of a thousand petitioners compiles next to nothing
        # (their names are rarely in their own descriptions) rather than thrashing re's cache.
        self.own = [(v, v.casefold()) for v in _variants(name, email, phone)]

    def __call__(self, text: str) -> str:
        if not text:
            return text
        folded = text.casefold()
        for value, folded_value in self.own:
            if folded_value in folded:
                text = re.sub(re.escape(value), MASK, text, flags=re.IGNORECASE)
                folded = text.casefold()
        if _MAY_HOLD_CONTACT.search(text):
            text = _CONTACT.sub(MASK, text)
        return text


def mask_personal_data(text: str, *, name: str = "", email: str = "", phone: str = "") -> str:
    """`text` with the given personal details and anything shaped like contact data masked."""
    return PersonalDataMask(name=name, email=email, phone=phone)(text)
