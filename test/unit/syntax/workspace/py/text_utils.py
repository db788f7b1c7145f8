import re


def slugify(title: str, separator: str = "-") -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())
    return separator.join(words)


class Page:
    def __init__(self, title: str) -> None:
        self.title = title

    def url(self) -> str:
        return "/" + slugify(self.title)
