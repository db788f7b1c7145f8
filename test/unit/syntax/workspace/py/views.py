from .text_utils import slugify, Page


def render(title):
    page = Page(title)
    return slugify(title)
