"""Writing messages: one sentence about what happened, in the recipient's language, the link
to the page that shows it, and a one-click unsubscribe (RFC 8058) for that kind only.

An alert's facts are data (`Alert.facts`); the words are chosen here, when the message is
made, under the recipient's language.
"""

import datetime
import hashlib
import urllib.parse
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeroom.accounts.models import User
from homeroom.notify.models import Kind, Message, Notice
from homeroom.sis.models import School, Staff

_SALT = "homeroom.notify.unsubscribe"
DIGEST = "digest"


def absolute(path: str) -> str:
    return settings.HOMEROOM_SITE_URL + path


# --- One-click unsubscribe ------------------------------------------------------------------


def unsubscribe_token(*, guardian_id: int, kind: str, students: Iterable[int]) -> str:
    """A signed, unguessable token naming what one link stops: one kind of message about
    these children for this guardian (`kind` "digest:daily" stops that digest)."""
    return signing.dumps({"g": guardian_id, "k": kind, "s": sorted(students)}, salt=_SALT)


def read_unsubscribe_token(token: str) -> dict[str, Any] | None:
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not {"g", "k", "s"} <= set(data):
        return None
    return data


def unsubscribe_url(token: str) -> str:
    return absolute(reverse("public:unsubscribe", args=[token]))


# --- Sentences ----------------------------------------------------------------------------------


def _day(value: str) -> str:
    return formats.date_format(datetime.date.fromisoformat(value), "l j F Y")


def _percent(value: str | Decimal) -> str:
    return formats.number_format(Decimal(value), 1)


def alert_sentence(kind: str, facts: dict[str, Any], name: str) -> str:
    """What happened, in one sentence, in the active language."""
    if kind == Kind.ATTENDANCE:
        language = translation.get_language() or "en"
        description = facts["description_es" if language.startswith("es") else "description"]
        values = {
            "name": name,
            "mark": description or facts["code"],
            "day": _day(facts["date"]),
            "course": facts.get("course", ""),
        }
        if values["course"]:
            return _("%(name)s was marked “%(mark)s” in %(course)s on %(day)s.") % values
        return _("%(name)s was marked “%(mark)s” on %(day)s.") % values
    if kind == Kind.MISSING:
        return _("%(name)s’s work “%(assignment)s” in %(course)s is marked missing.") % {
            "name": name,
            "assignment": facts["assignment"],
            "course": facts["course"],
        }
    if kind == Kind.LOW_GRADE:
        return _(
            "%(name)s’s grade in %(course)s is now %(percent)s %%, below your threshold of "
            "%(threshold)s %%."
        ) % {
            "name": name,
            "course": facts["course"],
            "percent": _percent(facts["percent"]),
            "threshold": facts["threshold"],
        }
    count = int(facts["count"])
    return ngettext(
        "A new score for %(name)s was released in %(courses)s.",
        "%(count)d new scores for %(name)s were released in %(courses)s.",
        count,
    ) % {"count": count, "name": name, "courses": ", ".join(facts["courses"])}


def alert_subject(kind: str, name: str) -> str:
    subjects = {
        Kind.ATTENDANCE: _("Attendance: %(name)s"),
        Kind.MISSING: _("Missing work: %(name)s"),
        Kind.LOW_GRADE: _("Course grade: %(name)s"),
        Kind.SCORES: _("New scores: %(name)s"),
    }
    return subjects[Kind(kind)] % {"name": name}


def alert_link(kind: str, student_id: int) -> str:
    page = "portal:attendance" if kind == Kind.ATTENDANCE else "portal:grades"
    return reverse(page, args=[student_id])


def digest_subject(timing: str, day: datetime.date) -> str:
    when = formats.date_format(day, "j F Y")
    if timing == "weekly":
        return _("Your weekly summary, %(day)s") % {"day": when}
    return _("Your daily summary, %(day)s") % {"day": when}


# --- Notices: report card releases and letters (R20: by the notices' one path) ----------------


def report_card_subject(term: str) -> str:
    return _("Report cards for %(term)s are available") % {"term": term}


def report_card_text(term: str, children: Iterable[tuple[str, str]]) -> str:
    """A term's report cards released, in the active language: one sentence, then the link
    to each child's grades page."""
    lines = [_("Report cards for %(term)s are available in the portal.") % {"term": term}]
    for name, url in children:
        lines.append(_("%(name)s’s grades: %(url)s") % {"name": name, "url": url})
    return "\n".join(lines)


def grades_url(student_id: int) -> str:
    return absolute(reverse("portal:grades", args=[student_id]))


def notice_content(
    notice: Notice, language: str, children: Iterable[tuple[int, str]]
) -> tuple[str, str]:
    """A copy's subject, and the text Homeroom writes for it, in its recipient's language.
    A report card release is written here: the same words for every recipient of one
    language, the same link for every parent of one child. A notice's or a letter's text is
    its writer's, the same for everyone: nothing is written here ("")."""
    if notice.category != Notice.Category.REPORT_CARD or notice.term is None:
        return notice.subject, ""
    title = notice.term.title
    with translation.override(language):
        return (
            report_card_subject(title),
            report_card_text(title, [(name, grades_url(pk)) for pk, name in children]),
        )


def letter_signature(author: User, school: School | None) -> str:
    """A letter ends with who wrote it and for which school (or the district)."""
    staff = Staff.objects.filter(user=author).first()
    name = staff.display_name if staff else (author.get_full_name() or author.username)
    return f"{name}\n{school.name if school else settings.HOMEROOM_DISTRICT_NAME}"


# --- The mail itself ------------------------------------------------------------------------


def message_id(message: Message) -> str:
    """The same for every attempt at one message, so a copy handed to the relay twice after a
    worker died mid-send is one message to the recipient's mail system."""
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:24]
    host = urllib.parse.urlsplit(settings.HOMEROOM_SITE_URL).hostname or "homeroom.invalid"
    return f"<{digest}.{message.pk}@{host}>"


def _footer(message: Message) -> list[str]:
    lines = []
    if message.link:
        lines.append(_("See it in the portal: %(url)s") % {"url": absolute(message.link)})
    lines.append(
        _("To stop these messages: %(url)s") % {"url": unsubscribe_url(_token_for(message))}
    )
    lines.append(
        _("Choose what you hear and when: %(url)s")
        % {"url": absolute(reverse("portal:notifications"))}
    )
    return lines


def _token_for(message: Message) -> str:
    kind = f"{DIGEST}:{message.digest}" if message.digest else message.kind
    # Every kind a family may unsubscribe from names the guardian (a database constraint).
    assert message.guardian_id is not None
    return unsubscribe_token(guardian_id=message.guardian_id, kind=kind, students=message.students)


def email_for(message: Message, notice: Notice | None) -> EmailMessage:
    """The mail for one message, in its recipient's language."""
    with translation.override(message.language):
        if notice is not None:
            # Homeroom's words (a report card release), then the writer's.
            text = [part for part in (message.body.strip(), notice.body.strip()) if part]
            body = ["\n\n".join(text), "", *_footer(message)]
            sent = notice.sent_at
        elif message.kind == Kind.REQUIRED:
            # A notice the law requires: no way to unsubscribe from it, and no portal choice.
            body = [message.body.strip()]
            if message.link:
                body += ["", _("See it in the portal: %(url)s") % {"url": absolute(message.link)}]
            sent = message.queued_at
        else:
            body = [message.body.strip(), "", *_footer(message)]
            sent = message.queued_at
        headers = {
            "Message-ID": message_id(message),
            # A notice's copies all carry the moment it was sent (R20: "at the same time").
            "Date": timezone.localtime(sent, datetime.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000"),
            "Content-Language": message.language,
            "Auto-Submitted": "auto-generated",
        }
        if message.kind != Kind.REQUIRED:
            headers["List-Unsubscribe"] = f"<{unsubscribe_url(_token_for(message))}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        return EmailMessage(
            subject=f"[{settings.HOMEROOM_DISTRICT_NAME}] {message.subject}",
            body="\n".join(body) + "\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers=headers,
        )
