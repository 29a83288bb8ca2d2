"""Who earns points, found through what the earning models declare, never by importing them.

The ledger sits below the apps whose people, teams and units earn points, so
it knows them only by their declarations:

- `points_subject_kind` (a `SubjectKind`): the model earns points of that kind;
- `scope_field`: the path from a row to its grid node (the one scoping rule's);
- `points_user_field`: for the model a login earns points as (the volunteer
  record), the name of its field pointing to the user.
"""

from django.apps import apps

from points.models import SubjectKind


def earning_models():
    """Every installed model that earns points."""
    return [model for model in apps.get_models() if getattr(model, "points_subject_kind", None)]


def model_of_kind(kind):
    """The model earning points of `kind` (one per kind), or None when its app is not installed."""
    kind = SubjectKind(kind)
    return next((m for m in earning_models() if m.points_subject_kind == kind), None)


def person_of_user(user):
    """The person row a login earns points as, or None (staff without a volunteer record)."""
    if user is None or not user.is_authenticated:
        return None
    model = model_of_kind(SubjectKind.PERSON)
    field = getattr(model, "points_user_field", None)
    if field is None:
        return None
    return model.objects.filter(**{field: user}).select_related(model.scope_field).first()
