from django.urls import reverse

from portal.models import PersonalDataLog
from portal.roles import Role
from tests.factories import VolunteerFactory, make_user
from volunteers.models import Volunteer


def _data(volunteer, **changes):
    data = {
        "name": volunteer.name,
        "gender": "",
        "phone": volunteer.phone,
        "id_type": "resident",
        "id_number": volunteer.id_number,
        "community": volunteer.community_id,
        "skills": "",
        "party_organisation": "",
        "work_unit": "",
        "username": volunteer.user.username if volunteer.user else "",
    }
    data.update(changes)
    return data


def test_saving_a_volunteer_keeps_their_login(crew, world, login):
    url = reverse("admin:volunteers_volunteer_change", args=[crew.member.pk])
    client = login(world.secretary_a)
    assert 'value="member"' in client.get(url).content.decode()
    response = client.post(url, _data(crew.member, skills="摄影"))
    assert response.status_code == 302
    crew.member.refresh_from_db()
    assert crew.member.user == crew.member_user and crew.member.skills == "摄影"


def test_a_login_is_linked_by_username_and_staff_logins_are_refused(world, login):
    volunteer = VolunteerFactory(community=world.community_a)
    make_user(Role.VOLUNTEER, username="newcomer")
    client = login(world.secretary_a)
    url = reverse("admin:volunteers_volunteer_change", args=[volunteer.pk])
    refused = client.post(url, _data(volunteer, username="secretary_b"))
    assert "工作人员账号不能关联" in refused.content.decode()
    assert client.post(url, _data(volunteer, username="newcomer")).status_code == 302
    assert Volunteer.objects.get(pk=volunteer.pk).user.username == "newcomer"


def test_an_invalid_identity_number_is_explained_and_not_saved(world, login):
    volunteer = VolunteerFactory(community=world.community_a, id_number="")
    response = login(world.secretary_a).post(
        reverse("admin:volunteers_volunteer_change", args=[volunteer.pk]),
        _data(volunteer, id_number="110105194912310037"),
    )
    assert response.status_code == 200 and "校验位不正确" in response.content.decode()
    assert Volunteer.objects.get(pk=volunteer.pk).id_number == ""


def test_other_documents_are_checked_by_their_own_pattern(world, login):
    volunteer = VolunteerFactory(community=world.community_a, id_number="")
    client = login(world.secretary_a)
    url = reverse("admin:volunteers_volunteer_change", args=[volunteer.pk])
    bad = client.post(url, _data(volunteer, id_type="hk_macao", id_number="X1234"))
    assert "港澳通行证号码" in bad.content.decode()
    assert client.post(url, _data(volunteer, id_type="hk_macao", id_number="h12345678")).status_code == 302
    assert Volunteer.objects.get(pk=volunteer.pk).id_number == "H12345678"


def test_identity_numbers_are_masked_in_the_list(crew, world, login):
    html = login(world.street_staff).get(reverse("admin:volunteers_volunteer_changelist")).content.decode()
    assert "110105********002X" in html and "11010519491231002X" not in html


def test_a_new_volunteer_gets_a_number_that_is_not_their_id(world, login):
    response = login(world.secretary_a).post(
        reverse("admin:volunteers_volunteer_add"),
        {
            "name": "新志愿者",
            "phone": "13911112222",
            "id_type": "resident",
            "id_number": "11010519491231002X",
            "community": world.community_a.pk,
        },
    )
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(name="新志愿者")
    assert volunteer.number == f"ZY{volunteer.pk:08d}" and "1101" not in volunteer.number


def test_changing_a_phone_in_the_admin_is_recorded_for_the_volunteers_community(crew, world, login):
    response = login(world.secretary_a).post(
        reverse("admin:volunteers_volunteer_change", args=[crew.member.pk]),
        _data(crew.member, phone="13900009999", skills="摄影"),
    )
    assert response.status_code == 302
    entry = PersonalDataLog.objects.get(action="change")
    assert (entry.subject_id, entry.fields, entry.detail, entry.grid) == (
        str(crew.member.pk),
        "phone",
        "管理后台：修改 1 条",
        world.community_a,
    )
