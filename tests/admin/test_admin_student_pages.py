"""Generated from the admin's registry (issue 13; R12, R45): every admin page that shows a
student's record — the list and a record's page of each model whose admin logs student reads
— refuses families, students, teachers and technology staff whose group does not grant it,
with nothing of the student on the answer. A model added later is covered as soon as it is
registered."""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from homeroom.access import roles
from homeroom.audit.admin import StudentReadsMixin
from homeroom.sis.models import Student
from tests import personas

pytestmark = pytest.mark.django_db


def _student_admins() -> list[tuple[str, type[models.Model]]]:
    return sorted(
        (model._meta.label_lower, model)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, StudentReadsMixin)
        and (model is Student or any(f.name == "student" for f in model._meta.fields))
    )


STUDENT_ADMINS = _student_admins()


def test_the_admins_pages_that_show_students_are_found():
    labels = {label for label, _ in STUDENT_ADMINS}
    assert {"sis.student", "sis.enrollment", "gradebook.score", "access.restriction"} <= labels


def _granted(username: str, label: str) -> bool:
    groups = set(personas.user(username).groups.values_list("name", flat=True))
    return any("view" in roles.GROUP_PERMISSIONS.get(group, {}).get(label, ()) for group in groups)


@pytest.mark.parametrize("username", ["maria", "sofia", "taylor", "okafor", "sam"])
def test_no_admin_page_shows_sofia_to_who_may_not_see_it(demo, client, username):
    sofia = personas.child("sofia")
    personas.sign_in(client, username)
    tried = 0
    for label, model in STUDENT_ADMINS:
        if _granted(username, label):
            continue
        rows = (
            model._default_manager.filter(pk=sofia.pk)
            if model is Student
            else (model._default_manager.filter(student=sofia))
        )
        urls = [reverse(f"admin:{label.replace('.', '_')}_changelist")]
        row = rows.first()
        if row is not None:
            urls.append(reverse(f"admin:{label.replace('.', '_')}_change", args=[row.pk]))
        for url in urls:
            response = client.get(url)
            assert response.status_code in (302, 403), (username, url, response.status_code)
            assert sofia.local_id not in response.content.decode(), (username, url)
            tried += 1
    assert tried
