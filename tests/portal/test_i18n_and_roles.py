"""The English catalogue is complete, and every permission a role lists exists."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group

from portal.roles import Role, missing_permissions, role_permissions

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_english_translation():
    text = PO.read_text(encoding="utf-8")
    entries = re.findall(r'^msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"', text, re.M)
    untranslated = [msgid for msgid, msgstr in entries if msgid and not msgstr]
    assert len(entries) > 100
    assert untranslated == []
    # A fuzzy entry is a guess gettext will not use: every one must be reviewed.
    assert "#, fuzzy" not in text


def test_every_listed_permission_exists(db):
    assert missing_permissions() == []


def test_each_role_group_holds_exactly_its_permissions(db):
    for role, names in role_permissions().items():
        group = Group.objects.get(name=role.value)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(names), role


def test_only_staff_roles_see_personal_data(db):
    mapping = role_permissions()
    holders = {role for role, names in mapping.items() if "portal.view_personal_data" in names}
    assert holders == {Role.STREET_STAFF, Role.COMMUNITY_SECRETARY}
