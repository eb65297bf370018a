"""Publishes version 1 of the acceptable-use agreement: the guidelines of district policy
1110.2, "Use of the Parent Portal". The district edits the text by publishing a new
version in the admin; every user then accepts again (R71)."""

from django.db import migrations
from django.utils import timezone

TITLE = "Parent Portal acceptable use agreement"
TITLE_ES = "Acuerdo de uso aceptable del Portal para Padres"

BODY = """Access to the Parent Portal is a privilege, not a right. By using it you agree to these guidelines:

- I will act in a responsible, legal and ethical manner.
- I will not attempt to harm or destroy data, the school or the District network.
- I will not attempt to access data or any other account owned by another user.
- I will not use the Parent Portal for any illegal activity, including violation of data privacy laws.
- If I identify a security problem with the Parent Portal, I will notify the District's Technology Department immediately, without demonstrating the problem to anyone else.
- I will not share my password with anyone, including my own children.
- I will not set my computer to sign in to the Parent Portal automatically.

Users identified as a security risk to the Parent Portal or the District's network will be denied access to the Parent Portal. The District may deny or cease access because of abuse of the portal, court orders or other legal proceedings that limit access to a student's records. Anyone found to violate these laws may be subject to civil and/or criminal prosecution."""

BODY_ES = """El acceso al Portal para Padres es un privilegio, no un derecho. Al usarlo, usted acepta estas normas:

- Actuaré de manera responsable, legal y ética.
- No intentaré dañar ni destruir datos, la escuela o la red del Distrito.
- No intentaré acceder a datos ni a ninguna otra cuenta que pertenezca a otro usuario.
- No usaré el Portal para Padres para ninguna actividad ilegal, incluida la violación de las leyes de privacidad de datos.
- Si descubro un problema de seguridad en el Portal para Padres, avisaré de inmediato al Departamento de Tecnología del Distrito, sin mostrarle el problema a nadie más.
- No compartiré mi contraseña con nadie, ni siquiera con mis propios hijos.
- No configuraré mi computadora para que inicie sesión en el Portal para Padres automáticamente.

Se negará el acceso al Portal para Padres a los usuarios que se consideren un riesgo para la seguridad del Portal o de la red del Distrito. El Distrito puede negar o suspender el acceso por abuso del portal, por órdenes judiciales o por otros procedimientos legales que limiten el acceso a los expedientes de un estudiante. Quien viole estas leyes puede ser objeto de acciones civiles o penales."""


def publish(apps, schema_editor):
    AgreementVersion = apps.get_model("accounts", "AgreementVersion")
    if not AgreementVersion.objects.exists():
        AgreementVersion.objects.create(
            version=1, title=TITLE, title_es=TITLE_ES, body=BODY, body_es=BODY_ES,
            published_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
