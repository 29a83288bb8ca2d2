"""Receivers of the cases' domain events."""


def give_request_id(sender, case, **kwargs):
    from cases.open311.services import request_ids_ensure

    request_ids_ensure([case.pk])
