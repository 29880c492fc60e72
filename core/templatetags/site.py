"""``{% site_name %}``: the installation's name (``settings.SITE_NAME``).

A tag rather than a context processor: e-mails are rendered in workers,
without a request, and must say the same name as the pages."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def site_name() -> str:
    return settings.SITE_NAME
