"""Open311 GeoReport v2 for grid cases: the street's categories as services, cases as service requests.

A Django app of its own (label "open311") inside the cases layer: it reads
cases through cases.selectors and files new ones through cases.services, and
keeps only what the API adds: the API keys staff issue and each case's public
request id.
"""
