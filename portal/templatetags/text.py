from django import template

from portal import text

register = template.Library()

register.filter("join_list", text.join_list)
register.filter("labelled", text.labelled)
register.filter("aside", text.aside)
register.filter("bracketed", text.bracketed)
