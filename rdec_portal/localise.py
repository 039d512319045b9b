"""The portal speaks two languages: Traditional Chinese (the default) and English."""

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "").startswith("en")


def portal_language() -> str:
    """The active language as one of settings.LANGUAGES' codes, e.g. to store with a petition."""
    return "en" if is_english() else "zh-hant"


def localised(obj, field: str) -> str:
    """`<field>_en` or `<field>_zh` of an object or dict, in the active language."""
    name = f"{field}_en" if is_english() else f"{field}_zh"
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)
