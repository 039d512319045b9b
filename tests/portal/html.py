"""A small HTML reader for assertions on landmarks and attributes, not on wording."""

from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str) -> list[tuple[str, dict]]:
    """Every start tag in document order, as (tag, attributes)."""
    collector = _Collector()
    collector.feed(html)
    return collector.elements


def find(html: str, tag: str, **attrs) -> list[dict]:
    """Attributes of each `tag` element having `attrs` (class_=... matches one class; True
    matches any value)."""
    wanted = {name.rstrip("_"): value for name, value in attrs.items()}
    return [
        found
        for name, found in elements(html)
        if name == tag and all(_matches(name_, found, value) for name_, value in wanted.items())
    ]


def _matches(name: str, found: dict, expected) -> bool:
    if name not in found:
        return False
    if expected is True:
        return True
    if name == "class":
        return expected in found[name].split()
    return found[name] == expected


def inside(html: str, tag: str, marker: str) -> str:
    """The HTML from the `tag` element whose start tag contains `marker` to its closing tag
    (for elements that do not nest in themselves, such as nav or form)."""
    start = html.index(marker)
    start = html.rindex(f"<{tag}", 0, start)
    return html[start : html.index(f"</{tag}>", start)]
