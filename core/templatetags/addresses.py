"""``{% url %}`` as Django writes it, reversed from memory when the same address
was reversed before (``core.links.remembered_reverse`` says when and why).

A template builtin (``TEMPLATES``' ``builtins``), so it takes the place of
Django's own tag in every template, Django admin's included, without a
``{% load %}``: the syntax, ``as`` included, is Django's, parsed by Django."""

from __future__ import annotations

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from core.links import remembered_reverse

register = template.Library()


class RememberedURLNode(defaulttags.URLNode):
    def render(self, context) -> str:
        request = getattr(context, "request", None)
        address = ""
        try:
            address = remembered_reverse(
                self.view_name.resolve(context),
                args=[arg.resolve(context) for arg in self.args],
                kwargs={name: value.resolve(context) for name, value in self.kwargs.items()},
                current_app=_current_app(request),
                urlconf=getattr(request, "urlconf", None),
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = address
            return ""
        return conditional_escape(address) if context.autoescape else address


def _current_app(request) -> str | None:
    """The application namespace Django's tag reverses in: the request's
    ``current_app``, else the namespace of the view that answers it."""
    if request is None:
        return None
    if hasattr(request, "current_app"):
        return request.current_app
    match = getattr(request, "resolver_match", None)
    return match.namespace if match is not None else None


@register.tag
def url(parser, token) -> RememberedURLNode:
    parsed = defaulttags.url(parser, token)
    return RememberedURLNode(parsed.view_name, parsed.args, parsed.kwargs, parsed.asvar)
