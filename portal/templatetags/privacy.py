from django import template

from portal import privacy

register = template.Library()

register.filter("mask_phone", privacy.mask_phone)
register.filter("mask_id_number", privacy.mask_id_number)
register.filter("mask_name", privacy.mask_name)
register.filter("mask_phones_in_text", privacy.mask_phones_in_text)
