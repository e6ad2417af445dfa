"""Double-opt-in introductions, drafted from the annotations, ready to send.

First one message to each side asking whether they want the introduction (A hears what
B can do for them, B hears what A is looking for), then the joint message that
introduces them. Each message is plain text, a ``mailto:`` link and an ``.eml`` file a
mail client opens as a draft (``X-Unsent: 1``: Outlook opens it ready to send,
Thunderbird and Apple Mail open it as a message to forward or edit).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import quote

from cardscan.models import Contact
from cardscan.text import fold

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "hi": "Hi {name},",
        "hi_both": "Hi {a} and {b},",
        "ask_a_subject": "Would you like an introduction to {b}?",
        "ask_a_need": "When we met{at}, you mentioned you are looking for {needs}.",
        "ask_a_need_plain": "I have been thinking about what you are working on.",
        "ask_a_helper": "I know {b}{role}{met}.",
        "ask_a_offer": "{b_given} can help with {offer}.",
        "ask_a_question": "Would you like me to introduce you? Just reply and I will put you in touch; "
                          "if not, no problem at all.",
        "ask_b_subject": "Would you like to meet {a}?",
        "ask_b_intro": "I met {a}{role}{at}.",
        "ask_b_need": "{a_given} is looking for {needs}, and I thought of you",
        "ask_b_offer": " since you can help with {offer}",
        "ask_b_plain": "I thought you two should meet",
        "ask_b_question": "Would you be open to an introduction? If you would rather not, just say so: "
                          "I will not pass on your details without your yes.",
        "joint_subject": "Introduction: {a} <> {b}",
        "joint_open": "As promised, I am introducing you to each other (you both said yes).",
        "joint_meet": "{x_given}, meet {y}{role}.",
        "joint_met": " We met{at}.",
        "joint_offer": " {y_given} can help with {offer}.",
        "joint_needs": " {y_given} is looking for {needs}.",
        "joint_close": "I will let you take it from here.",
        "at": " at {place}",
        "role_both": ", {title} at {org}",
        "role_one": ", {what}",
        "met_when": ", whom I met at {place}",
        "sign": "Best,",
        "why": "{a} needs {needs}; {b} can help with {offer}",
        "why_plain": "{a} and {b} should meet",
    },
    "es": {
        "hi": "Hola, {name}:",
        "hi_both": "Hola, {a} y {b}:",
        "ask_a_subject": "¿Te presento a {b}?",
        "ask_a_need": "Cuando nos conocimos{at}, me contaste que buscas {needs}.",
        "ask_a_need_plain": "He estado pensando en lo que me contaste de tu proyecto.",
        "ask_a_helper": "Conozco a {b}{role}{met}.",
        "ask_a_offer": "{b_given} puede ayudarte con {offer}.",
        "ask_a_question": "¿Quieres que os presente? Contéstame y os pongo en contacto; "
                          "si no, no pasa nada.",
        "ask_b_subject": "¿Te gustaría conocer a {a}?",
        "ask_b_intro": "Conocí a {a}{role}{at}.",
        "ask_b_need": "{a_given} busca {needs}, y he pensado en ti",
        "ask_b_offer": ", porque puedes ayudar con {offer}",
        "ask_b_plain": "Creo que os vendría bien conoceros",
        "ask_b_question": "¿Te parece bien que os presente? Si prefieres que no, dímelo: "
                          "no daré tus datos sin tu permiso.",
        "joint_subject": "Presentación: {a} <> {b}",
        "joint_open": "Como os comenté, os presento (los dos me dijisteis que sí).",
        "joint_meet": "{x_given}, te presento a {y}{role}.",
        "joint_met": " Nos conocimos{at}.",
        "joint_offer": " {y_given} puede ayudarte con {offer}.",
        "joint_needs": " {y_given} busca {needs}.",
        "joint_close": "Os dejo que sigáis vosotros.",
        "at": " en {place}",
        "role_both": ", {title} en {org}",
        "role_one": ", {what}",
        "met_when": ", a quien conocí en {place}",
        "sign": "Un saludo,",
        "why": "{a} necesita {needs}; {b} puede ayudar con {offer}",
        "why_plain": "{a} y {b} deberían conocerse",
    },
}


def _t(lang: str, key: str, **values: str) -> str:
    return _TEXT.get(lang, _TEXT["en"])[key].format(**values)


@dataclass
class Message:
    """One e-mail of an introduction."""

    kind: str  # ask_a | ask_b | joint
    to: list[Contact]
    subject: str
    body: str
    sender: Contact | None = None

    @property
    def recipients(self) -> list[str]:
        return [c.emails[0].address for c in self.to if c.emails]

    def mailto(self) -> str:
        """A ``mailto:`` link (RFC 6068): every recipient, the subject and the body."""
        to = ",".join(quote(address, safe="@") for address in self.recipients)
        body = self.body.replace("\r\n", "\n").replace("\n", "\r\n")
        return f"mailto:{to}?subject={quote(self.subject, safe='')}&body={quote(body, safe='')}"

    def eml(self, when: datetime | None = None) -> bytes:
        """The message as an RFC 5322 file (CRLF, UTF-8) a mail client opens as a draft."""
        message = EmailMessage()
        if self.sender is not None and self.sender.emails:
            message["From"] = Address(_plain_name(self.sender), addr_spec=self.sender.emails[0].address)
        message["To"] = [Address(_plain_name(c), addr_spec=c.emails[0].address)
                         for c in self.to if c.emails]
        message["Subject"] = self.subject
        message["Date"] = format_datetime(when or datetime.now(UTC))
        message["Message-ID"] = make_msgid(domain="cardscan.invalid")
        message["X-Unsent"] = "1"  # Outlook opens it as a draft, ready to send
        message.set_content(self.body)
        return message.as_bytes(policy=SMTP)

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "to": self.recipients, "names": [c.display_name for c in self.to],
                "subject": self.subject, "body": self.body, "mailto": self.mailto()}


@dataclass
class Draft:
    """The three messages of one double-opt-in introduction of ``a`` (who needs) to ``b``."""

    a: Contact
    b: Contact
    why: str
    messages: list[Message] = field(default_factory=list)

    def file_names(self) -> list[str]:
        pair = f"{slug(self.a.display_name)}-{slug(self.b.display_name)}"
        names = {"ask_a": f"1-ask-{slug(self.a.display_name)}", "ask_b": f"2-ask-{slug(self.b.display_name)}",
                 "joint": "3-joint"}
        return [f"intro-{pair}-{names[m.kind]}.eml" for m in self.messages]

    def to_dict(self) -> dict[str, object]:
        return {"a": {"uid": self.a.uid, "name": self.a.display_name},
                "b": {"uid": self.b.uid, "name": self.b.display_name},
                "why": self.why, "messages": [m.to_dict() for m in self.messages]}


def slug(text: str) -> str:
    """'Lucía Fernández' -> 'lucia-fernandez' (for file names)."""
    return "-".join(re.findall(r"[a-z0-9]+", fold(text)))[:40] or "contact"


def _plain_name(contact: Contact) -> str:
    return contact.name.plain or contact.display_name


def _given(contact: Contact) -> str:
    return contact.name.given or contact.display_name


def _role(contact: Contact, lang: str) -> str:
    if contact.title and contact.org:
        return _t(lang, "role_both", title=contact.title, org=contact.org)
    what = contact.title or contact.org
    return _t(lang, "role_one", what=what) if what else ""


def _at(place: str, lang: str) -> str:
    return _t(lang, "at", place=place) if place else ""


def _clause(text: str) -> str:
    """An annotation as part of a sentence: one line, no final full stop."""
    return " ".join(text.split()).rstrip(".")


def why(a: Contact, b: Contact, lang: str) -> str:
    """Why ``a`` and ``b`` should meet, in one line, from their annotations."""
    needs, offer = _clause(a.annotations.needs), _clause(b.annotations.offer)
    if needs and offer:
        return _t(lang, "why", a=a.display_name, b=b.display_name, needs=needs, offer=offer)
    return _t(lang, "why_plain", a=a.display_name, b=b.display_name)


def draft(a: Contact, b: Contact, lang: str = "en", me: Contact | None = None,
          reason: str = "") -> Draft:
    """The introduction of ``a`` (who needs something) to ``b`` (who can help), in ``lang``.

    ``me`` signs the messages (the user's own card, `cardscan me`); ``reason`` is the
    one-line why recorded with ``--done`` (default: from the annotations).
    """
    lang = lang if lang in _TEXT else "en"
    na, nb = a.annotations, b.annotations
    needs, offer, offer_a = _clause(na.needs), _clause(nb.offer), _clause(na.offer)
    sign = "\n".join([_t(lang, "sign")] + ([me.name.plain or me.display_name] if me else []))

    # 1. to A: would you like to meet B?
    lines = [_t(lang, "hi", name=_given(a)), ""]
    lines.append(_t(lang, "ask_a_need", at=_at(na.met_at, lang), needs=needs) if needs
                 else _t(lang, "ask_a_need_plain"))
    helper = _t(lang, "ask_a_helper", b=b.display_name, role=_role(b, lang),
                met=_t(lang, "met_when", place=nb.met_at) if nb.met_at else "")
    if offer:
        helper += " " + _t(lang, "ask_a_offer", b_given=_given(b), offer=offer)
    lines += [helper, "", _t(lang, "ask_a_question"), "", sign]
    ask_a = Message("ask_a", [a], _t(lang, "ask_a_subject", b=b.display_name), "\n".join(lines) + "\n", me)

    # 2. to B: would you like to meet A?
    lines = [_t(lang, "hi", name=_given(b)), ""]
    intro = _t(lang, "ask_b_intro", a=a.display_name, role=_role(a, lang), at=_at(na.met_at, lang))
    if needs:
        thought = _t(lang, "ask_b_need", a_given=_given(a), needs=needs)
        thought += _t(lang, "ask_b_offer", offer=offer) if offer else ""
    else:
        thought = _t(lang, "ask_b_plain")
    lines += [f"{intro} {thought}.", "", _t(lang, "ask_b_question"), "", sign]
    ask_b = Message("ask_b", [b], _t(lang, "ask_b_subject", a=a.display_name), "\n".join(lines) + "\n", me)

    # 3. to both: the introduction itself
    def meet(x: Contact, y: Contact, y_offer: str, y_needs: str) -> str:
        text = _t(lang, "joint_meet", x_given=_given(x), y=y.display_name, role=_role(y, lang))
        if y.annotations.met_at:
            text += _t(lang, "joint_met", at=_at(y.annotations.met_at, lang))
        if y_offer:
            text += _t(lang, "joint_offer", y_given=_given(y), offer=y_offer)
        if y_needs:
            text += _t(lang, "joint_needs", y_given=_given(y), needs=y_needs)
        return text

    lines = [_t(lang, "hi_both", a=_given(a), b=_given(b)), "", _t(lang, "joint_open"), "",
             meet(a, b, offer, ""), "", meet(b, a, offer_a, needs), "", _t(lang, "joint_close"), "", sign]
    joint = Message("joint", [a, b], _t(lang, "joint_subject", a=a.display_name, b=b.display_name),
                    "\n".join(lines) + "\n", me)
    for message in (ask_a, ask_b, joint):  # "S.L." at the end of a sentence: one full stop
        message.body = re.sub(r"\.\.(?=\s|$)", ".", message.body)
    return Draft(a, b, reason or why(a, b, lang), [ask_a, ask_b, joint])


def write_eml(drafts: Draft, folder: Path, when: datetime | None = None) -> list[Path]:
    """The draft's messages as ``.eml`` files in ``folder`` (atomic, mode 0600)."""
    from cardscan.errors import BookError
    from cardscan.store import atomic_write

    folder = folder.expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BookError(f"cannot create {folder}: {exc.strerror or exc}", folder) from exc
    paths: list[Path] = []
    for message, name in zip(drafts.messages, drafts.file_names(), strict=True):
        target = folder / name
        atomic_write(target, message.eml(when))
        paths.append(target)
    return paths


def missing_emails(drafts: Draft) -> Sequence[Contact]:
    """The contacts of the draft without an e-mail address (their messages have no To)."""
    return [c for c in (drafts.a, drafts.b) if not c.emails]
