"""Networking over an annotated book: follow-ups, introductions, search, stats (pure functions)."""

from __future__ import annotations

from datetime import date

import pytest
import vobject

from cardscan.models import Address, Annotations, Contact, Email, Name, Phone, PhoneType, Source, Website
from cardscan.network import (
    due_followups,
    mark_done,
    search,
    stats,
    suggest_introductions,
    to_ics,
)
from cardscan.network.companies import normalise_company, registrable_domain, same_company
from cardscan.network.labels import LABELS
from cardscan.network.text import analyse, fold, vocabulary

TODAY = date(2026, 3, 10)


def person(uid: str, given: str, family: str, *, org: str = "", title: str = "", email: str = "",
           needs: str = "", offer: str = "", met_at: str = "", tags: tuple[str, ...] = (),
           follow_up: date | None = None, done: date | None = None, city: str = "", country: str = "",
           phone: str = "", website: str = "") -> Contact:
    return Contact(
        name=Name(given=given, family=family), org=org, title=title,
        emails=[Email(email)] if email else [],
        phones=[Phone(phone, PhoneType.CELL)] if phone else [],
        websites=[Website(website)] if website else [],
        address=Address(city=city, country=country),
        annotations=Annotations(met_at=met_at, needs=needs, offer=offer, tags=list(tags),
                                follow_up=follow_up, follow_up_done=done),
        sources=[Source(file=f"{uid}.jpg")],
        uid=uid,
    )


def build_book() -> list[Contact]:
    """33 contacts: Spanish and English notes, colleagues, free-mail users, blank annotations."""
    return [
        person("lucia", "Lucía", "Fernández", org="Verdia Tech S.L.", title="CEO", email="lucia@verdia.es",
               needs="inversores para su ronda semilla", met_at="South Summit Madrid",
               follow_up=date(2026, 3, 7), phone="+34600111222"),
        person("mark", "Mark", "Thompson", org="Northgate Ventures LLC", title="Partner",
               email="mark@northgate.vc", offer="seed funding and investor introductions",
               needs="a Spanish lawyer for a portfolio company", met_at="Web Summit Lisbon"),
        person("carmen", "Carmen", "Ruiz", org="Ruiz & Asociados", title="Abogada mercantilista",
               email="carmen@ruizasociados.es", offer="asesoría legal para startups",
               met_at="South Summit Madrid"),
        person("pedro", "Pedro", "Gómez", org="Muebles Gómez S.L.", title="Director de marketing",
               email="pedro@mueblesgomez.es", needs="fotógrafo para el catálogo de primavera",
               met_at="Feria del Mueble", follow_up=date(2026, 3, 10)),
        person("anna", "Anna", "Schmidt", title="Photographer", email="anna.photo@gmail.com",
               offer="fotografía de producto y retratos", met_at="Web Summit Lisbon"),
        person("jorge", "Jorge", "Molina", org="Imprenta Molina", title="Gerente",
               email="jorge@imprentamolina.es", offer="impresión de catálogos y folletos",
               met_at="Feria del Mueble"),
        person("sofia", "Sofía", "Herrera", org="VERDIA TECH, SL", title="CTO", email="sofia@verdia.es",
               offer="inversión y contactos con business angels", met_at="South Summit Madrid"),
        person("david", "David", "Chen", org="Brightside Design Ltd", title="Creative Director",
               email="david@brightside.co.uk", offer="brand identity and graphic design",
               needs="new clients in Latin America", met_at="Web Summit Lisbon", city="London"),
        person("maria", "María", "López", org="Distribuciones López S.A. de C.V.", title="Jefa de compras",
               email="maria@distlopez.com.mx", met_at="Expo Proveedores", city="Monterrey",
               country="México"),
        person("tom", "Tom", "Baker", org="Acme Corp", title="Software Engineer", email="tom@acme.com",
               needs="diseño para su nueva app", met_at="Web Summit Lisbon"),
        person("elena", "Elena", "García", org="ACME, Inc.", title="Product Manager",
               email="elena@mail.acme.com", offer="desarrollo de software a medida",
               needs="una diseñadora gráfica para campañas", met_at="Web Summit Lisbon"),
        person("raul", "Raúl", "Ortega", org="Grupo Logístico Ortega", title="Director de operaciones",
               email="raul@ortegalogistica.es", offer="transporte y almacenaje en toda España",
               met_at="Feria Logística Barcelona"),
        person("claire", "Claire", "Dubois", org="Maison Claire", title="Founder",
               email="claire@maisonclaire.fr",
               needs="a shipping and warehousing partner in Spain", met_at="Feria Logística Barcelona",
               follow_up=date(2026, 3, 14)),
        person("javier", "Javier", "Santos", org="Contaplus Asesores", title="Asesor fiscal",
               email="javier@contaplus.es", offer="contabilidad e impuestos para autónomos",
               met_at="Networking Cámara de Comercio"),
        person("laura", "Laura", "Méndez", title="Freelance illustrator", email="laura.mendez@gmail.com",
               needs="a good accountant for her taxes", met_at="Networking Cámara de Comercio"),
        person("miguel", "Miguel", "Torres", org="TalentHub", title="Recruiter", email="miguel@talenthub.io",
               offer="hiring developers and tech talent", met_at="Web Summit Lisbon"),
        person("anab", "Ana", "Beltrán", title="Desarrolladora junior", email="ana.beltran@hotmail.com",
               needs="empleo como programadora", met_at="Meetup Python Madrid"),
        person("oliver", "Oliver", "Smith", org="Polyglot Translations", title="Translator",
               email="oliver@polyglot.co.uk", offer="traducción jurada inglés-español",
               met_at="Networking Cámara de Comercio"),
        person("isabel", "Isabel", "Navarro", org="Navarro Vinos", title="Export manager",
               email="isabel@navarrovinos.es", needs="translation of the winery website into English",
               met_at="Feria del Vino"),
        person("ricardo", "Ricardo", "Vega", org="Eventia", title="Event manager", email="ricardo@eventia.es",
               offer="organización de eventos y congresos", met_at="Feria Logística Barcelona"),
        person("hannah", "Hannah", "Lee", org="Lee Research", title="Director",
               email="hannah@leeresearch.org",
               needs="a venue and catering for a conference", met_at="Web Summit Lisbon",
               follow_up=date(2026, 4, 1)),
        person("pablo", "Pablo", "Ramírez", org="Inmobiliaria Ramírez", title="Agente",
               email="pablo@inmoramirez.es", offer="oficinas y locales comerciales en Valencia",
               city="Valencia", met_at="Networking Cámara de Comercio"),
        person("sarah", "Sarah", "Johnson", org="Bluewave Labs", title="COO", email="sarah@bluewave.io",
               needs="office space in Valencia", met_at="Web Summit Lisbon",
               follow_up=date(2026, 3, 1), done=date(2026, 3, 2)),
        person("nuria", "Nuria", "Vidal", org="Vidal Comunicación", title="Periodista",
               email="nuria@vidalcom.es", offer="relaciones con medios y notas de prensa",
               met_at="South Summit Madrid"),
        person("james", "James", "Wilson", org="Wilson Audio", title="Founder", email="james@wilsonaudio.com",
               needs="press coverage for the product launch", met_at="Web Summit Lisbon",
               follow_up=date(2026, 3, 5), done=date(2026, 2, 20)),
        person("beatriz", "Beatriz", "Cano", org="Cano Consulting", title="Consultora",
               email="beatriz@canoconsulting.es"),
        person("kevin", "Kevin", "O'Brien", org="Dublin Foods", title="Buyer", email="kevin@dublinfoods.ie"),
        person("marta", "Marta", "Ruiz", org="Estudio Marta", email="marta@estudiomarta.es",
               met_at="Feria del Mueble"),
        person("diego", "Diego", "Fernández", org="Mentores Madrid", title="Mentor",
               email="diego@mentoresmadrid.org", offer="mentoring for first-time founders",
               met_at="South Summit Madrid"),
        person("carlos", "Carlos", "Ibáñez", org="Panadería Ibáñez", title="Propietario",
               email="carlos@panaderiaibanez.es", needs="mentoría para emprender", met_at="Feria del Vino"),
        person("gabriela", "Gabriela", "Soto", title="Associate", email="gabriela@northgate.vc",
               needs="seed investors for the new fund", met_at="Web Summit Lisbon"),
        person("rosa", "Rosa", "Martín", org="Martín Hogar", title="Gerente", email="rosa@martinhogar.es",
               needs="un fontanero para su casa", met_at="Feria del Mueble"),
        person("peter", "Peter", "Novak", org="Novak Partners GmbH", title="Managing Director",
               email="peter@novak.de", needs="help and new contacts", met_at="Web Summit Lisbon"),
    ]


@pytest.fixture(scope="module")
def book() -> list[Contact]:
    return build_book()


def by_uid(contacts: list[Contact], uid: str) -> Contact:
    return next(c for c in contacts if c.uid == uid)


def pairs(intros) -> set[frozenset[str]]:
    return {frozenset((i.a.uid, i.b.uid)) for i in intros}


def pair_for(intros, x: str, y: str):
    return next((i for i in intros if {i.a.uid, i.b.uid} == {x, y}), None)


# ------------------------------------------------------------------ text


def test_book_is_big_enough(book):
    assert len(book) >= 30
    assert sum(1 for c in book if c.annotations) >= 30
    assert any(not c.annotations for c in book)


def test_fold_drops_accents_and_case():
    assert fold("Diseño GRÁFICO") == "diseno grafico"


@pytest.mark.parametrize(("need", "offer", "concept"), [
    ("fotógrafo", "fotografía de producto", "photography"),
    ("fotografia sin tilde", "Fotógrafa", "photography"),
    ("catálogo", "catálogos", "print"),
    ("inversores para su ronda semilla", "seed funding and investor introductions", "funding"),
    ("a good accountant", "contabilidad e impuestos", "accounting"),
    ("contratación de talento", "hiring developers", "jobs"),
    ("shipping and warehousing", "transporte y almacenaje", "logistics"),
    ("abogado", "lawyer", "legal"),
    ("proveedores de cartón", "suppliers", "suppliers"),
    ("socios", "partnerships", "partners"),
])
def test_concepts_see_through_word_forms_accents_and_languages(need, offer, concept):
    assert concept in analyse(need).concepts
    assert concept in analyse(offer).concepts


def test_multiword_terms_win_over_their_words():
    assert analyse("desarrollo de negocio").concepts == {"sales"}
    assert analyse("desarrollo de apps").concepts == {"software"}
    assert "clients" not in analyse("atención al cliente").concepts


def test_stem_collisions_are_kept_apart():
    assert analyse("seguros para la flota").concepts == {"insurance", "logistics"}
    assert analyse("seguridad informática").concepts == {"security"}


def test_vocabulary_is_bilingual_and_big_enough():
    voc = vocabulary()
    assert len(voc.labels) >= 40
    for concept, names in voc.labels.items():
        assert names.get("es") and names.get("en"), concept
    concepts_with_terms = {c for c, _, _ in voc.terms}
    assert concepts_with_terms == set(voc.labels)


def test_labels_exist_in_both_languages():
    assert set(LABELS["es"]) == set(LABELS["en"])


# ------------------------------------------------------------------ companies


@pytest.mark.parametrize(("a", "b"), [
    ("Verdia Tech S.L.", "VERDIA TECH, SL"),
    ("Acme Corp", "ACME, Inc."),
    ("Distribuciones López S.A. de C.V.", "distribuciones lopez sa de cv"),
])
def test_company_names_normalise(a, b):
    assert normalise_company(a) == normalise_company(b) != ""


def test_registrable_domain():
    assert registrable_domain("mail.acme.com") == "acme.com"
    assert registrable_domain("www.distlopez.com.mx") == "distlopez.com.mx"
    assert registrable_domain("polyglot.co.uk") == "polyglot.co.uk"


def test_same_company_by_domain_but_not_by_free_mail(book):
    assert same_company(by_uid(book, "mark"), by_uid(book, "gabriela"))  # northgate.vc, no org on card
    assert same_company(by_uid(book, "tom"), by_uid(book, "elena"))  # acme.com and mail.acme.com
    assert not same_company(by_uid(book, "anna"), by_uid(book, "laura"))  # both gmail.com
    assert not same_company(by_uid(book, "carmen"), by_uid(book, "marta"))  # both Ruiz, other firms


# ------------------------------------------------------------------ introductions


EXPECTED = [
    ("lucia", "mark", "funding"),  # Spanish need, English offer
    ("mark", "carmen", "legal"),  # English need, Spanish title/offer
    ("pedro", "anna", "photography"),  # fotógrafo / fotografía de producto
    ("pedro", "jorge", "print"),  # catálogo / catálogos
    ("tom", "david", "design"),  # Spanish need, English offer
    ("claire", "raul", "logistics"),
    ("laura", "javier", "accounting"),
    ("anab", "miguel", "jobs"),
    ("isabel", "oliver", "translation"),
    ("hannah", "ricardo", "events"),
    ("sarah", "pablo", "real_estate"),
    ("james", "nuria", "press"),
    ("carlos", "diego", "mentoring"),
    ("david", "maria", "clients"),  # a purchasing manager is a potential client
    ("gabriela", "sofia", "funding"),
]


@pytest.mark.parametrize(("needy", "helper", "concept"), EXPECTED)
def test_expected_introductions(book, needy, helper, concept):
    intro = pair_for(suggest_introductions(book), needy, helper)
    assert intro is not None, f"{needy} should meet {helper}"
    side = intro.needs_met if intro.a.uid == needy else intro.in_return
    assert concept in {m.what for m in side}


def test_nobody_meets_themselves_or_a_colleague(book):
    found = pairs(suggest_introductions(book))
    assert all(len(p) == 2 for p in found)
    assert frozenset(("lucia", "sofia")) not in found  # same company, although Sofía offers investment
    assert frozenset(("gabriela", "mark")) not in found  # same e-mail domain
    assert frozenset(("tom", "elena")) not in found


def test_unmatched_and_generic_needs_get_no_introduction(book):
    intros = suggest_introductions(book)
    involved = {uid for i in intros for uid in (i.a.uid, i.b.uid)}
    assert "rosa" not in involved  # nobody offers plumbing
    assert "peter" not in involved  # "help and new contacts" names nothing
    assert "beatriz" not in involved  # no annotations, a consultant title nobody needs
    assert "kevin" not in involved or pair_for(intros, "kevin", "david") is not None


def test_pairs_are_listed_once_best_first(book):
    intros = suggest_introductions(book)
    keys = [frozenset((i.a.uid, i.b.uid)) for i in intros]
    assert len(keys) == len(set(keys))
    scores = [i.score for i in intros]
    assert scores == sorted(scores, reverse=True)


def test_specific_concepts_rank_above_weak_word_matches(book):
    intros = suggest_introductions(book)
    lucia_mark = pair_for(intros, "lucia", "mark")
    pedro_anna = pair_for(intros, "pedro", "anna")  # the photographer Pedro needs ...
    pedro_jorge = pair_for(intros, "pedro", "jorge")  # ... beats the printer for what it is for
    tom_ana = pair_for(intros, "tom", "anab")  # "diseño para su nueva app" is not a need for developers
    assert pedro_anna.score > pedro_jorge.score
    assert lucia_mark.score > tom_ana.score
    assert lucia_mark.score > pair_for(intros, "elena", "pedro").score  # "para campañas" is a purpose
    assert pair_for(intros, "james", "elena") is None  # "product launch" vs "Product Manager"
    assert pair_for(intros, "claire", "mark") is None  # a "Partner" title is a rank, not an offer


def test_mutual_help_is_one_suggestion_scored_higher():
    a = person("a", "Ana", "Uno", org="Uno", needs="diseño gráfico", offer="contabilidad")
    b = person("b", "Ben", "Dos", org="Dos", needs="an accountant", offer="graphic design")
    c = person("c", "Cris", "Tres", org="Tres", offer="graphic design")
    intros = suggest_introductions([a, b, c])
    ab = pair_for(intros, "a", "b")
    ac = pair_for(intros, "a", "c")
    assert ab is not None and ac is not None
    assert ab.needs_met and ab.in_return
    assert ab.score > ac.score
    assert intros[0] is ab


def test_reason_names_both_people_and_the_concept_in_the_ui_language(book):
    es = pair_for(suggest_introductions(book, lang="es"), "lucia", "mark")
    en = pair_for(suggest_introductions(book, lang="en"), "lucia", "mark")
    assert "Lucía Fernández" in es.reason and "Mark Thompson" in es.reason
    assert "inversión" in es.reason and "busca" in es.reason
    assert "investment" in en.reason and "needs" in en.reason
    assert "\n" not in en.reason
    a, b, score, reason = en  # unpacks as a tuple
    assert (a.uid, b.uid, reason) == ("lucia", "mark", en.reason) and score > 0


def test_for_one_contact(book):
    intros = suggest_introductions(book, "pedro")
    assert intros and all("pedro" in (i.a.uid, i.b.uid) for i in intros)
    assert {frozenset(("pedro", "anna")), frozenset(("pedro", "jorge"))} <= pairs(intros)
    assert suggest_introductions(book, "pedro", limit=1) == intros[:1]


def test_words_outside_the_vocabulary_still_match():
    a = person("a", "Ana", "Uno", org="Uno", needs="inspecciones técnicas de tejados")
    b = person("b", "Ben", "Dos", org="Dos", offer="inspección de edificios con drones")
    c = person("c", "Cris", "Tres", org="Tres", offer="repostería creativa")
    intros = suggest_introductions([a, b, c])
    assert pairs(intros) == {frozenset(("a", "b"))}


def test_places_are_context_not_topics():
    a = person("a", "Ana", "Uno", org="Uno", needs="un abogado en Madrid")
    b = person("b", "Ben", "Dos", org="Dos", offer="fotografía en Madrid")
    assert suggest_introductions([a, b]) == []


def test_empty_book_and_unannotated_book():
    assert suggest_introductions([]) == []
    assert suggest_introductions([person("x", "X", "Y"), person("z", "Z", "W")]) == []


# ------------------------------------------------------------------ follow-ups


def test_due_today_lists_overdue_first(book):
    due = due_followups(book, TODAY, "today")
    assert [(f.contact.uid, f.days_overdue) for f in due] == [("james", 5), ("lucia", 3), ("pedro", 0)]


def test_due_week_and_all(book):
    week = [f.contact.uid for f in due_followups(book, TODAY, "week")]
    assert week == ["james", "lucia", "pedro", "claire"]
    assert [f.contact.uid for f in due_followups(book, TODAY, "all")][-1] == "hannah"
    assert "sarah" not in {f.contact.uid for f in due_followups(book, TODAY, "all")}  # done after due


def test_bad_horizon():
    with pytest.raises(ValueError):
        due_followups([], TODAY, "month")  # type: ignore[arg-type]


def test_mark_done_closes_the_follow_up(book):
    lucia = by_uid(book, "lucia")
    updated, was_pending = mark_done(lucia, TODAY)
    assert was_pending
    assert updated.annotations.follow_up is None and updated.annotations.follow_up_done == TODAY
    assert lucia.annotations.follow_up == date(2026, 3, 7)  # the original is untouched
    assert due_followups([updated], TODAY, "all") == []
    early, _ = mark_done(by_uid(book, "hannah"), TODAY)  # done before it was due
    assert due_followups([early], TODAY, "all") == []
    _, was_pending = mark_done(by_uid(book, "beatriz"), TODAY)
    assert not was_pending


def test_labels_for_when(book):
    due = due_followups(book, TODAY, "week")
    assert due[0].when("en") == "overdue by 5 day(s)"
    assert due[2].when("es") == "para hoy"
    assert due[3].when("en") == "due in 4 day(s)"


def test_ics_round_trip_with_stable_uids(book):
    due = due_followups(book, TODAY, "week")
    text = to_ics(due, "es")
    calendar = vobject.readOne(text)
    todos = calendar.vtodo_list
    assert len(todos) == 4
    first = todos[0]
    assert first.due.value == date(2026, 3, 5)
    assert "James Wilson" in first.summary.value
    assert "press coverage" in first.description.value
    again = vobject.readOne(to_ics(due, "es")).vtodo_list
    assert [t.uid.value for t in again] == [t.uid.value for t in todos]
    assert len({t.uid.value for t in todos}) == 4
    lucia = next(t for t in todos if "Lucía" in t.summary.value)
    assert "+34600111222" in lucia.description.value
    assert lucia.due.value == date(2026, 3, 7)


# ------------------------------------------------------------------ search


def test_search_is_accent_and_case_insensitive(book):
    assert search(book, "LUCIA")[0].contact.uid == "lucia"
    assert search(book, "garcía")[0].contact.uid == "elena"


def test_search_sees_annotations_and_word_forms(book):
    found = [h.contact.uid for h in search(book, "fotógrafos")]
    assert found[:2] == ["anna", "pedro"] or set(found[:2]) == {"anna", "pedro"}
    hits = search(book, "ronda semilla")
    assert hits[0].contact.uid == "lucia" and "needs" in hits[0].fields


def test_search_needs_every_word_and_ranks_names_first(book):
    assert [h.contact.uid for h in search(book, "ruiz abogada")] == ["carmen"]
    ruiz = [h.contact.uid for h in search(book, "ruiz")]
    assert set(ruiz) == {"carmen", "marta"}
    assert search(book, "nadie zzzz") == []
    assert search(book, "  ") == []


def test_search_phones_emails_and_typos(book):
    assert [h.contact.uid for h in search(book, "600 111 222")] == ["lucia"]
    assert search(book, "talenthub.io")[0].contact.uid == "miguel"
    assert search(book, "Thomson")[0].contact.uid == "mark"  # one letter off


def test_search_events(book):
    uids = {h.contact.uid for h in search(book, "feria del mueble")}
    assert uids == {"pedro", "jorge", "marta", "rosa"}


# ------------------------------------------------------------------ stats


def test_stats(book):
    result = stats(book, TODAY)
    assert result.total == len(book)
    assert result.annotated == len(book) - 2  # Beatriz and Kevin
    assert result.per_event[0] == ("Web Summit Lisbon", 11)
    assert dict(result.per_event)["Feria del Mueble"] == 4
    assert result.no_event == 2
    companies = dict(result.per_company)
    assert companies["Verdia Tech S.L."] == 2 or companies.get("VERDIA TECH, SL") == 2
    assert sum(1 for name, _ in result.per_company if normalise_company(name) == "acme") == 1
    assert result.no_company == 4  # Anna, Laura, Ana, Gabriela
    assert (result.followups_overdue, result.followups_today, result.followups_week,
            result.followups_later) == (2, 1, 2, 1)
    assert result.to_dict()["annotated_share"] == pytest.approx((len(book) - 2) / len(book), abs=1e-3)


def test_stats_of_an_empty_book():
    result = stats([], TODAY)
    assert result.total == 0 and result.annotated_share == 0.0 and result.per_event == []
