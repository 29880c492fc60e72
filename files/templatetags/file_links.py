"""Addresses of stored files in templates, through ``files.links`` only::

{% load file_links %}
{% file_or_url journey.image_file journey.image_url as cover %}
{% if cover %}<img src="{{ cover }}" alt="">{% endif %}
<a href="{{ attachment.file|file_url }}">{{ attachment.file.file_name }}</a>
"""

from __future__ import annotations

from django import template

from files import links

register = template.Library()


@register.simple_tag
def file_or_url(file=None, legacy_url=None) -> str:
    """The stored file's address when it is there and not deleted, else the legacy
    URL column when it is http(s) or a site path, else an empty string."""
    return links.display_url(file or None, legacy_url or None) or ""


@register.filter
def file_url(file) -> str:
    """The address of a file row (the download view for private files); empty for
    none or a deleted file."""
    if not file or file.is_deleted:
        return ""
    return links.file_url(file)
