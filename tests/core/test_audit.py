import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from appui.core.audit import audit_context, record_many
from appui.core.enums import AccessAction, Role
from appui.core.models import AccessLog, Event, record_event
from appui.territory.models import Professional
from tests.factories import PracticePlaceFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def reads_of(obj, user=None):
    rows = AccessLog.objects.filter(
        action=AccessAction.READ, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )
    return rows.filter(user=user) if user else rows


def test_detail_page_logs_who_read_what_with_role_and_organisation(client, login):
    professional = ProfessionalFactory()
    membership = login(Role.COORDINATOR)
    response = client.get(reverse("territory:professional_detail", args=[professional.pk]))
    assert response.status_code == 200
    row = reads_of(professional, membership.user).get()
    assert row.role == Role.COORDINATOR
    assert row.organisation_id == membership.organisation_id
    assert row.view_name == "territory:professional_detail"
    assert row.path == reverse("territory:professional_detail", args=[professional.pk])
    assert "last_name" in row.fields and "rpps" in row.fields
    assert row.user_label == membership.user.email


def test_list_page_logs_every_record_shown(client, login):
    shown = [ProfessionalFactory() for _ in range(3)]
    membership = login(Role.ASSISTANT)
    client.get(reverse("territory:directory") + "?onglet=professionnels")
    for professional in shown:
        assert reads_of(professional, membership.user).count() == 1


def test_a_record_read_twice_in_one_request_is_logged_once(client, login):
    place = PracticePlaceFactory()
    membership = login(Role.COORDINATOR)
    client.get(reverse("territory:professional_detail", args=[place.professional.pk]))
    assert reads_of(place.professional, membership.user).count() == 1
    assert reads_of(place, membership.user).count() == 1  # the practice place is personal too


def test_writes_are_logged_with_changed_fields(client, login):
    professional = ProfessionalFactory(phone="03 27 00 00 00")
    membership = login(Role.COORDINATOR)
    data = {
        "first_name": professional.first_name,
        "last_name": professional.last_name,
        "profession": professional.profession,
        "rpps": professional.rpps,
        "phone": "03 27 99 99 99",
        "specialty": professional.specialty,
    }
    response = client.post(reverse("territory:professional_edit", args=[professional.pk]), data)
    assert response.status_code == 302
    update = AccessLog.objects.get(
        action=AccessAction.UPDATE, object_id=str(professional.pk), user=membership.user
    )
    assert "phone" in update.fields
    assert "last_name" not in update.fields  # unchanged fields are not reported as written
    event = Event.objects.get(
        subject_type="territory.professional", subject_id=str(professional.pk)
    )
    assert event.verb == "updated" and event.actor == membership.user
    professional.refresh_from_db()
    assert professional.updated_by == membership.user


def test_reads_outside_any_context_are_not_silently_attributed():
    professional = ProfessionalFactory()
    before = AccessLog.objects.count()
    Professional.objects.get(pk=professional.pk)
    assert AccessLog.objects.count() == before  # no context: nothing to attribute


def test_commands_log_reads_in_their_own_context():
    professional = ProfessionalFactory()
    with audit_context(user_label="import", view_name="import_rpps"):
        Professional.objects.get(pk=professional.pk)
    row = reads_of(professional).get()
    assert row.user is None and row.user_label == "import"


def test_access_log_is_append_only_in_the_application():
    professional = ProfessionalFactory()
    row = AccessLog.objects.filter(object_id=str(professional.pk)).first()
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()
    with pytest.raises(ValidationError):
        AccessLog.objects.all().update(user_label="x")
    with pytest.raises(ValidationError):
        AccessLog.objects.all().delete()


@pytest.mark.postgresql_only
def test_access_log_is_append_only_in_the_database():
    if connection.vendor != "postgresql":
        pytest.skip("the database trigger exists on PostgreSQL only")
    record_event(ProfessionalFactory(), "created")  # one row in each table
    statements = ["UPDATE core_accesslog SET user_label = 'x'", "DELETE FROM core_event"]
    for statement in statements:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


def test_professionals_are_archived_not_deleted(login):
    professional = ProfessionalFactory()
    professional.delete()
    assert not Professional.objects.filter(pk=professional.pk).exists()
    archived = Professional.all_objects.get(pk=professional.pk)
    assert archived.deleted_at is not None
    assert Event.objects.filter(subject_id=str(professional.pk), verb="archived").exists()
    with pytest.raises(ValidationError):
        Professional.objects.all().delete()


def test_director_filters_the_access_log(client, login):
    professional = ProfessionalFactory()
    reader = login(Role.COORDINATOR)
    client.get(reverse("territory:professional_detail", args=[professional.pk]))
    client.logout()
    login(Role.DIRECTOR, organisation=reader.organisation)
    url = reverse("core:access_log")
    page = client.get(
        url,
        {
            "user": reader.user.email,
            "action": "read",
            "object_type": "territory.professional",
            "object_id": professional.pk,
        },
    )
    assert page.status_code == 200
    assert page.context["page_obj"].paginator.count == 1
    assert reader.user.email in page.content.decode()
    empty = client.get(url, {"user": "personne@nulle-part.test"})
    assert empty.context["page_obj"].paginator.count == 0
    bad = client.get(url, {"start": "2026-05-02", "end": "2026-05-01"})
    assert "La date de fin doit être postérieure" in bad.content.decode()
    csv = client.get(url, {"object_id": professional.pk, "format": "csv"})
    assert csv.status_code == 200 and reader.user.email in csv.content.decode("utf-8-sig")


def test_access_log_page_has_bounded_queries(client, login, django_assert_max_num_queries):
    login(Role.DIRECTOR)
    for _ in range(60):
        ProfessionalFactory()
    with audit_context(user_label="bulk"):
        list(Professional.objects.all())
    with django_assert_max_num_queries(12):
        client.get(reverse("core:access_log"))


def test_a_page_worth_of_access_rows_goes_in_one_insert(django_assert_num_queries):
    """Also on the embedded SQLite, which Django would otherwise split every 76 rows."""
    professionals = [ProfessionalFactory() for _ in range(3)]
    with django_assert_num_queries(1):
        record_many(professionals * 100, AccessAction.READ)
    assert AccessLog.objects.filter(action=AccessAction.READ).count() == 300
