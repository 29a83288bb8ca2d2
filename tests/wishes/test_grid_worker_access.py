"""A grid worker sees the claims they made, not every claim in their grid.

Their scope is a grid, which makes them "staff in scope" for the scoping rule;
but claim pages carry the claimant's notes and the fulfilment photos taken in
residents' homes, which are for the claimant and the community's staff.
"""

from django.core.files.base import ContentFile

from tests.wishes.conftest import image_bytes
from wishes import services


def test_a_grid_worker_cannot_open_claims_or_photos_in_their_grid(login, world, people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    claim.photo.save("photo.jpg", ContentFile(image_bytes()), save=True)
    client = login(world.gridworker_a)
    assert client.get(f"/wishes/claims/{claim.pk}/").status_code == 404
    assert client.get(f"/wishes/claims/{claim.pk}/photo/").status_code == 404
    # The claimant and the community's staff still can.
    assert login(people.volunteer_user).get(f"/wishes/claims/{claim.pk}/photo/").status_code == 200
    assert login(world.secretary_a).get(f"/wishes/claims/{claim.pk}/photo/").status_code == 200
