"""``{% drawn "template.html" key %}``: include ``template.html`` with the
current context, its HTML kept per process under ``key`` (core.fragments):
``key`` must hold everything the template shows."""

from __future__ import annotations

from django import template

from core.fragments import drawn

register = template.Library()


class DrawnNode(template.Node):
    def __init__(self, name: template.base.FilterExpression, key: template.base.FilterExpression):
        self.name = name
        self.key = key

    def render(self, context) -> str:
        name = self.name.resolve(context)
        key = self.key.resolve(context)

        def draw() -> str:
            # As {% include %} does: the engine's template, the context as it is.
            included = context.template.engine.get_template(name)
            with context.push():
                return included.render(context)

        return drawn(name, key, draw)


@register.tag(name="drawn")
def do_drawn(parser, token) -> DrawnNode:
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError(f'Usage: {{% {bits[0]} "template.html" key %}}')
    return DrawnNode(parser.compile_filter(bits[1]), parser.compile_filter(bits[2]))
