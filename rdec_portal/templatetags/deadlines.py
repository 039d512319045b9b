"""Due-date badges in templates: `{% load deadlines %}` then `{% due_badge state %}`, where
`state` is a `rdec_portal.due.DueState` (or None, which shows nothing)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def due_badge(state) -> str:
    if state is None:
        return ""
    return format_html(
        '<span class="due due-{}" data-due="{}">{}</span>', state.state, state.state, state.text
    )
