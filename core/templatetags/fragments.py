"""``{% drawn "template.html" key %}``: include ``template.html`` with the
current context, its HTML kept per process under ``key`` (core.fragments):
``key`` must hold everything the template shows. Several parts
(``{% drawn "t.html" journey.pk active_tab %}``) make a key of their values."""

from __future__ import annotations

from django import template

from core.fragments import drawn

register = template.Library()


class DrawnNode(template.Node):
    def __init__(self, name: template.base.FilterExpression, parts: list):
        self.name = name
        self.parts = parts

    def render(self, context) -> str:
        name = self.name.resolve(context)
        values = tuple(part.resolve(context) for part in self.parts)
        key = values[0] if len(values) == 1 else values

        def draw() -> str:
            # As {% include %} does: the engine's template, the context as it is.
            included = context.template.engine.get_template(name)
            with context.push():
                return included.render(context)

        return drawn(name, key, draw)


@register.tag(name="drawn")
def do_drawn(parser, token) -> DrawnNode:
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f'Usage: {{% {bits[0]} "template.html" key … %}}')
    parts = [parser.compile_filter(bit) for bit in bits[2:]]
    return DrawnNode(parser.compile_filter(bits[1]), parts)
