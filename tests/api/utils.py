from django.utils import translation


def error_of(response, index: int = 0) -> dict:
    """The index-th error of a response, checking it has the API's one error shape."""
    body = response.json()
    assert set(body) == {"type", "errors"}
    assert set(body["errors"][index]) == {"code", "detail", "attr"}
    return body["errors"][index]


def in_language(language: str, message) -> str:
    """A message as the portal renders it in a language (zh-hant texts come from the catalogue)."""
    with translation.override(language):
        return str(message)


# Accept-Language headers as browsers in Taiwan and English clients send them.
ZH_TW = "zh-TW,zh;q=0.9,en;q=0.5"
EN = "en-US,en;q=0.9"
