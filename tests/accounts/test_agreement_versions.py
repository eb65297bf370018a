"""One person, one account; the acceptable-use agreement (policy 1110.2; R71): a new version
of the agreement is accepted again before the next portal page, and the acceptance is kept
per version."""

import pytest
from django.urls import reverse

from homeroom.accounts.models import AgreementAcceptance, AgreementVersion
from homeroom.lib import clock
from tests import personas
from tests.activation_support import agreement_published

pytestmark = pytest.mark.django_db


def test_a_new_version_of_the_agreement_is_accepted_again_before_the_next_page(demo, client):
    maria = personas.user("maria")
    sofia = personas.child("sofia")
    latest = agreement_published()
    personas.sign_in(client, "maria")
    url = reverse("portal:attendance", args=[sofia.pk])
    assert client.get(url).status_code == 200

    new = AgreementVersion.objects.create(
        version=latest.version + 1,
        title="Parent Portal acceptable use agreement (2027)",
        title_es="Acuerdo de uso aceptable del Portal para Padres (2027)",
        body="I will not share my password, and I will report problems I find.",
        body_es="No compartiré mi contraseña y avisaré de los problemas que encuentre.",
        published_at=clock.now(),
    )
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:agreement"))
    # In her language.
    page = client.get(response["Location"]).content.decode()
    assert "Acuerdo de uso aceptable del Portal para Padres (2027)" in page

    client.post(reverse("accounts:agreement"), {"accept": "on", "next": url})
    assert AgreementAcceptance.objects.filter(user=maria, agreement=new).exists()
    assert AgreementAcceptance.objects.filter(user=maria, agreement=latest).exists()
    assert client.get(url).status_code == 200
