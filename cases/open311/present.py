"""What the API answers: our states as open/closed with status notes, requests and services as plain
rows, and both as JSON or XML (the standard's element names, xml.etree from the standard library)."""

import json
import re
from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import CaseState, Source
from portal.privacy import mask_id_number, mask_phone

# Our states as the standard's two, with the note a client shows (docs/cases.md, "Open311").
# The note never quotes what somebody wrote (reasons, results): those are for the resident.
STATES = {
    CaseState.REPORTED: ("open", gettext_lazy("等待%(level)s受理")),
    CaseState.HANDLING: ("open", gettext_lazy("%(level)s正在办理")),
    CaseState.DISPATCHED: ("open", gettext_lazy("街道已派遣（吹哨）职能部门或驻区单位办理")),
    CaseState.DONE: ("open", gettext_lazy("已办理完成，等待社区核实")),
    CaseState.VERIFIED: ("closed", gettext_lazy("已办结并经社区核实，等待居民评价")),
    CaseState.CLOSED: ("closed", gettext_lazy("已办结")),
    CaseState.DECLINED: ("closed", gettext_lazy("不予受理")),
    CaseState.MERGED: ("closed", gettext_lazy("与另一件相同的事件合并办理")),
}

# Cases whose text describes a household rather than a public place (a visit's findings,
# a resident's wish): the category stands in for it.
PRIVATE_TEXT_SOURCES = (Source.VISIT, Source.WISH)

_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9](?:[ \-]?[0-9]){8}(?![0-9])")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_LANDLINE = re.compile(r"(?<![0-9])0[0-9]{2,3}[ \-]?[0-9]{7,8}(?![0-9])")


def scrub(text):
    """A reporter's words with mobile, landline and ID numbers in them masked."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _MOBILE.sub(lambda m: mask_phone(re.sub(r"[ \-]", "", m.group(0))), text)
    return _LANDLINE.sub(lambda m: mask_phone(re.sub(r"[ \-]", "", m.group(0))), text)


def status_of(case):
    status, note = STATES.get(case.state, ("closed", gettext_lazy("已办结")))
    return status, str(note) % {"level": case.get_level_display()}


def _when(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _place(case):
    """The grid's name with its community and street: the public stand-in for an address."""
    names = [case.street.name, case.community.name]
    if case.grid_id != case.community_id:
        names.append(case.grid.name)
    return " ".join(names)


def _coordinate(value):
    # Rounded to about 100 m: where the problem is, not which door the reporter stood at.
    return round(float(value), 3) if value is not None else None


def request_row(case, public_id):
    status, note = status_of(case)
    description = case.category.name if case.source in PRIVATE_TEXT_SOURCES else scrub(case.description)
    expected = None
    if status == "open":
        expected = case.finish_due_at or case.sign_due_at
    return {
        "service_request_id": public_id,
        "status": status,
        "status_notes": note,
        "service_name": case.category.name,
        "service_code": str(case.category_id),
        "description": description,
        "agency_responsible": case.level_node().name,
        "service_notice": None,
        "requested_datetime": _when(case.reported_at),
        "updated_datetime": _when(getattr(case, "updated_at", None) or case.reported_at),
        "expected_datetime": _when(expected),
        "address": _place(case),
        "address_id": case.grid.code,
        "zipcode": None,
        "lat": _coordinate(case.latitude),
        "long": _coordinate(case.longitude),
        "media_url": None,
    }


def service_row(category):
    return {
        "service_code": str(category.pk),
        "service_name": category.name,
        "description": _("%(street)s的“%(name)s”类网格事件，先由%(level)s受理。")
        % {
            "street": category.street.name,
            "name": category.name,
            "level": category.get_first_level_display(),
        },
        # Every service takes the optional grid_code attribute (services/{code}).
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": category.street.name,
    }


def definition_row(category, grids):
    return {
        "service_code": str(category.pk),
        "attributes": [
            {
                "variable": True,
                "code": "grid_code",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _(
                    "事件所在的网格或社区（二维码上的编码）；不填时按 address_string 判断。"
                ),
                "order": 1,
                "description": _("所在网格"),
                "values": [{"key": grid.code, "name": grid.name} for grid in grids],
            }
        ],
    }


# --- formats ------------------------------------------------------------------------------------

JSON = "application/json; charset=utf-8"
XML = "application/xml; charset=utf-8"


# Characters XML 1.0 cannot carry at all (a pasted control character would make the whole answer unreadable).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_value(parent, tag, value, item_tag=None):
    element = ElementTree.SubElement(parent, tag)
    if isinstance(value, list):
        for row in value:
            _xml_row(element, item_tag or "item", row)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))


# The standard's names for the elements of a list inside a row.
_ITEM_TAGS = {"attributes": "attribute", "values": "value"}


def _xml_row(parent, tag, row):
    element = ElementTree.SubElement(parent, tag)
    for key, value in row.items():
        _xml_value(element, key, value, _ITEM_TAGS.get(key))
    return element


def to_xml(root_tag, item_tag, rows):
    root = ElementTree.Element(root_tag)
    for row in rows:
        _xml_row(root, item_tag, row)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        root, encoding="utf-8", xml_declaration=False
    )


def definition_xml(row):
    root = ElementTree.Element("service_definition")
    for key, value in row.items():
        _xml_value(root, key, value, _ITEM_TAGS.get(key))
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="utf-8")


def respond(fmt, data, *, root, item, status=200, headers=None):
    """`data` (a list of rows, or one dict for a service definition) as JSON or XML."""
    if fmt == "xml":
        body = definition_xml(data) if isinstance(data, dict) else to_xml(root, item, data)
        response = HttpResponse(body, content_type=XML, status=status)
    else:
        response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type=JSON, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error(fmt, status, *descriptions):
    """The standard's error answer: [{"code": 400, "description": "…"}] or <errors><error>…."""
    rows = [{"code": status, "description": str(text)} for text in descriptions]
    return respond(fmt, rows, root="errors", item="error", status=status)
