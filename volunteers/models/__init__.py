"""Volunteer teams, volunteers and 在职党员双报到, activities and sign-ups, and service records."""

from volunteers.models.activities import (
    Activity,
    SignUp,
    hours_between,
)
from volunteers.models.people import (
    DualReport,
    IdType,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
    validate_id_document,
)
from volunteers.models.records import (
    PRESENT,
    ExportMapping,
    ServiceRecord,
    ServiceRecordQuerySet,
    ServiceStatement,
)

__all__ = [
    "Activity",
    "DualReport",
    "ExportMapping",
    "IdType",
    "PRESENT",
    "ServiceRecord",
    "ServiceRecordQuerySet",
    "ServiceStatement",
    "SignUp",
    "TeamMembership",
    "Volunteer",
    "VolunteerTeam",
    "hours_between",
    "validate_id_document",
]
