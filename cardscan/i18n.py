"""The interactive prompt's messages in English and Spanish.

A small catalogue keyed by message id: ``t("es", "q_met_at")``. Every id exists in
every language (a test checks it); a missing id in a language falls back to English.
"""

from __future__ import annotations

LANGS = ("en", "es")

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "session_start": (
            "{count} card(s) to annotate. Type ? for help; Enter keeps the value in [brackets]."
        ),
        "nothing_to_do": "Nothing to annotate: every contact already has its annotations.",
        "nothing_to_do_skipped": (
            "{skipped} skipped card(s) left; run `cardscan annotate --skipped` to see them."
        ),
        "not_a_tty": "cardscan annotate: standard input is not a terminal, so nothing was asked "
                     "({count} card(s) waiting). Run it in a terminal, or pass --answers-from-stdin.",
        "card_title": "Card {index}/{total}",
        "photo": "photo",
        "no_photo": "(no photo recorded)",
        "check": "check",
        "low_confidence_hint": (
            "Fields marked {mark} were hard to read: type e to correct them, o to see the photo."
        ),
        "f_name": "Name",
        "f_title": "Title",
        "f_department": "Department",
        "f_org": "Company",
        "f_phones": "Phones",
        "f_emails": "Emails",
        "f_websites": "Web",
        "f_address": "Address",
        "f_given": "Given name(s)",
        "f_family": "Family name(s)",
        "f_street": "Street",
        "f_city": "City",
        "f_postal_code": "Postal code",
        "f_region": "Region / state",
        "f_country": "Country",
        "f_met_at": "Met at",
        "f_needs": "Needs",
        "f_offer": "I can help with",
        "f_tags": "Tags",
        "f_follow_up": "Follow up",
        "q_met_at": "Where did we meet?",
        "q_needs": "What do they need?",
        "q_offer": "How can I help?",
        "q_tags": "Tags (comma-separated)",
        "q_follow_up": "Follow-up date (2026-12-01, +2w, next friday; every 3m keeps in touch)",
        "q_gave": "What did you give them? (e.g. sent the market report)",
        "gave_saved": "Recorded: {text} ({date}).",
        "every_is": "↻ keep in touch {every}",
        "every_garbage": "Cannot read {text!r} as a period. Try every 6w, every 3m or every 1y.",
        "me_start": "Your own card: Enter keeps the value in [brackets], - clears it.",
        "me_given": "Given name(s)",
        "me_family": "Family name(s)",
        "me_title": "Title",
        "me_org": "Company",
        "me_phones": "Phones (comma-separated)",
        "me_emails": "E-mails (comma-separated)",
        "me_websites": "Web (comma-separated)",
        "me_offer": "What do you offer the people you meet?",
        "edit_menu": "Correct which field? (number, Enter to go back)",
        "edit_hint": "Enter keeps the value, - clears it.",
        "edit_list_hint": "Several values: separate them with commas.",
        "edited": "Saved: {field}.",
        "bad_choice": "Not a field number: {choice!r}.",
        "bad_phone": "Not a phone number: {value!r} (include the country code, e.g. +34 ...).",
        "bad_email": "Not an e-mail address: {value!r} ({reason}).",
        "bad_url": "Not a web address: {value!r}.",
        "saved_card": "✓ Saved.",
        "changed_meanwhile": "Another program changed {field} meanwhile (to: {value}); "
                             "your answer replaced it.",
        "skipped_card": "Skipped (run `cardscan annotate --skipped` to come back to it).",
        "back_at_start": "Already at the first card.",
        "opening_photo": "Opening {name} ...",
        "photo_missing": "The photo is not there any more: {path}",
        "no_photo_path": "No photo recorded for this card.",
        "no_viewer": "No image viewer available ({reason}). The photo is at: {path}",
        "no_display": "no graphical display",
        "no_xdg_open": "xdg-open not found; install xdg-utils",
        "viewer_failed": "could not start {command}: {error}",
        "follow_up_is": "→ {date}",
        "follow_up_past": "{date} is in the past; give a date from today on.",
        "follow_up_garbage": "Cannot read {text!r} as a date. Try 2026-12-01, +3d, +2w, +1m, "
                             "tomorrow, next friday or in 2 weeks.",
        "quit_saved": "Saved. {remaining} card(s) left; run `cardscan annotate` to go on.",
        "summary": "Done: {annotated} annotated, {skipped} skipped, {remaining} left.",
        "scan_not_a_tty": "cardscan: --annotate needs a terminal, so nothing was asked "
                          "({count} card(s) waiting); run `cardscan annotate` in a terminal.",
        "phone_cell": "mobile",
        "phone_work": "work",
        "phone_fax": "fax",
        "phone_voice": "phone",
        "interrupted": "cardscan: interrupted; everything answered so far is saved.",
        "help": (
            "Keys (a single character alone on the line is a command):\n"
            "  Enter   keep the value shown in [brackets]\n"
            "  -       clear the value\n"
            "  e       correct the card's fields (name, title, company, phones, ...)\n"
            "  o       open the card's photo in the image viewer\n"
            "  g       record something you gave them (a report, advice, a lead)\n"
            "  b       back to the previous question (from the first one, the previous card)\n"
            "  s       skip this card (it stays pending under --skipped)\n"
            "  q       save and quit (run cardscan annotate again to resume)\n"
            "  ?       this help\n"
            "To answer a literal s, b, q, e, o, g, - or ?, type a backslash first: \\s\n"
            "Every answer is saved as soon as you press Enter; Ctrl-C loses nothing already answered.\n"
            "Tab completes places and tags used before."
        ),
    },
    "es": {
        "session_start": (
            "{count} tarjeta(s) por anotar. Escribe ? para la ayuda; "
            "Intro conserva el valor entre [corchetes]."
        ),
        "nothing_to_do": "Nada que anotar: todos los contactos tienen ya sus anotaciones.",
        "nothing_to_do_skipped": (
            "Quedan {skipped} tarjeta(s) saltada(s); `cardscan annotate --skipped` las muestra."
        ),
        "not_a_tty": (
            "cardscan annotate: la entrada estándar no es un terminal, así que no se ha "
            "preguntado nada ({count} tarjeta(s) pendientes). Ejecútalo en un terminal o usa "
            "--answers-from-stdin."
        ),
        "card_title": "Tarjeta {index}/{total}",
        "photo": "foto",
        "no_photo": "(sin foto registrada)",
        "check": "revisar",
        "low_confidence_hint": (
            "Los campos marcados con {mark} se leyeron con dificultad: escribe e para corregirlos, "
            "o para ver la foto."
        ),
        "f_name": "Nombre",
        "f_title": "Cargo",
        "f_department": "Departamento",
        "f_org": "Empresa",
        "f_phones": "Teléfonos",
        "f_emails": "Correos",
        "f_websites": "Web",
        "f_address": "Dirección",
        "f_given": "Nombre(s) de pila",
        "f_family": "Apellido(s)",
        "f_street": "Calle",
        "f_city": "Ciudad",
        "f_postal_code": "Código postal",
        "f_region": "Provincia / estado",
        "f_country": "País",
        "f_met_at": "Nos conocimos en",
        "f_needs": "Necesita",
        "f_offer": "Puedo ayudar con",
        "f_tags": "Etiquetas",
        "f_follow_up": "Seguimiento",
        "q_met_at": "¿Dónde nos conocimos?",
        "q_needs": "¿Qué necesita?",
        "q_offer": "¿Cómo puedo ayudar?",
        "q_tags": "Etiquetas (separadas por comas)",
        "q_follow_up": "Fecha de seguimiento (2026-12-01, +2s, el próximo viernes; cada 3m repite)",
        "q_gave": "¿Qué le has dado? (p. ej. le envié el informe de mercado)",
        "gave_saved": "Anotado: {text} ({date}).",
        "every_is": "↻ mantener el contacto {every}",
        "every_garbage": "No entiendo {text!r} como periodo. Prueba cada 6s, cada 3m o cada 1a.",
        "me_start": "Tu propia tarjeta: Intro conserva el valor entre [corchetes], - lo borra.",
        "me_given": "Nombre(s) de pila",
        "me_family": "Apellido(s)",
        "me_title": "Cargo",
        "me_org": "Empresa",
        "me_phones": "Teléfonos (separados por comas)",
        "me_emails": "Correos (separados por comas)",
        "me_websites": "Web (separadas por comas)",
        "me_offer": "¿Qué ofreces a la gente que conoces?",
        "edit_menu": "¿Qué campo corriges? (número, Intro para volver)",
        "edit_hint": "Intro conserva el valor, - lo borra.",
        "edit_list_hint": "Varios valores: sepáralos con comas.",
        "edited": "Guardado: {field}.",
        "bad_choice": "No es un número de campo: {choice!r}.",
        "bad_phone": "No es un número de teléfono: {value!r} (incluye el prefijo del país, p. ej. +34 ...).",
        "bad_email": "No es una dirección de correo: {value!r} ({reason}).",
        "bad_url": "No es una dirección web: {value!r}.",
        "saved_card": "✓ Guardado.",
        "changed_meanwhile": "Otro programa cambió {field} mientras tanto (a: {value}); "
                             "tu respuesta lo ha sustituido.",
        "skipped_card": "Saltada (`cardscan annotate --skipped` vuelve a ella).",
        "back_at_start": "Ya estás en la primera tarjeta.",
        "opening_photo": "Abriendo {name} ...",
        "photo_missing": "La foto ya no está: {path}",
        "no_photo_path": "Esta tarjeta no tiene foto registrada.",
        "no_viewer": "No hay visor de imágenes disponible ({reason}). La foto está en: {path}",
        "no_display": "no hay pantalla gráfica",
        "no_xdg_open": "no se encuentra xdg-open; instala xdg-utils",
        "viewer_failed": "no se pudo abrir {command}: {error}",
        "follow_up_is": "→ {date}",
        "follow_up_past": "{date} ya ha pasado; indica una fecha a partir de hoy.",
        "follow_up_garbage": "No entiendo {text!r} como fecha. Prueba 2026-12-01, +3d, +2s, +1m, "
                             "mañana, el próximo viernes o en 2 semanas.",
        "quit_saved": "Guardado. Quedan {remaining} tarjeta(s); `cardscan annotate` continúa.",
        "summary": "Hecho: {annotated} anotada(s), {skipped} saltada(s), {remaining} pendiente(s).",
        "scan_not_a_tty": "cardscan: --annotate necesita un terminal, así que no se ha preguntado "
                          "nada ({count} tarjeta(s) pendientes); ejecuta `cardscan annotate` en un "
                          "terminal.",
        "phone_cell": "móvil",
        "phone_work": "trabajo",
        "phone_fax": "fax",
        "phone_voice": "teléfono",
        "interrupted": "cardscan: interrumpido; todo lo respondido hasta ahora está guardado.",
        "help": (
            "Teclas (un solo carácter solo en la línea es una orden):\n"
            "  Intro   conserva el valor entre [corchetes]\n"
            "  -       borra el valor\n"
            "  e       corrige los campos de la tarjeta (nombre, cargo, empresa, teléfonos, ...)\n"
            "  o       abre la foto de la tarjeta en el visor de imágenes\n"
            "  g       anota algo que le has dado (un informe, un consejo, un contacto)\n"
            "  b       vuelve a la pregunta anterior (desde la primera, a la tarjeta anterior)\n"
            "  s       salta esta tarjeta (queda pendiente en --skipped)\n"
            "  q       guarda y sale (cardscan annotate continúa donde lo dejaste)\n"
            "  ?       esta ayuda\n"
            "Para responder literalmente s, b, q, e, o, g, - o ?, escribe antes una barra invertida: \\s\n"
            "Cada respuesta se guarda al pulsar Intro; Ctrl-C no pierde nada de lo ya respondido.\n"
            "Tab completa lugares y etiquetas ya usados."
        ),
    },
}

WEEKDAYS = {
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    "es": ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"],
}
MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "es": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
}


def normalize_lang(lang: str | None) -> str:
    """'es_MX' -> 'es'; anything unknown -> 'en'."""
    code = (lang or "").lower()[:2]
    return code if code in LANGS else "en"


def t(lang: str, key: str, **values: object) -> str:
    """The message `key` in `lang`, formatted with `values`."""
    catalogue = MESSAGES[normalize_lang(lang)]
    text = catalogue.get(key) or MESSAGES["en"][key]
    return text.format(**values) if values else text


def format_date(value: object, lang: str) -> str:
    """A date the way a person reads it: 'Fri 13 Mar 2026' / 'vie 13 mar 2026' (locale-free)."""
    from datetime import date

    if not isinstance(value, date):
        return str(value)
    code = normalize_lang(lang)
    return f"{WEEKDAYS[code][value.weekday()]} {value.day} {MONTHS[code][value.month - 1]} {value.year}"
