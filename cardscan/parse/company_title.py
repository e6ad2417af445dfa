"""Job titles, departments and company names, from lexicons of words (not of whole titles)."""

from __future__ import annotations

import re
from functools import cache

from rapidfuzz import fuzz

from cardscan.parse.lexicon import LETTERS, REGISTERED_NUMBER, firm_words, fold, phrases, words

_TOKEN = re.compile(r"[\wÀ-ÿ&+/.\-']+")


def tokens(text: str) -> list[str]:
    return [fold(t).strip(".,:;()") for t in _TOKEN.findall(text)]


# Job-title endings: '-ologist' in many languages, and German and Dutch compounds
# ('Projektleiter', 'Vertriebsleiterin', 'Personalreferentin', 'Accountmanager').
_TITLE_SUFFIX = re.compile(
    r"(?:ologist|ologo|ologa|ologue|ologe|iatra|iatrist|.{3}(?:leiter|leiterin|referent|referentin|berater|"
    r"beraterin|manager|managerin|direktor|direktorin|fuhrer|fuhrerin|ingenieur|ingenieurin|assistent|"
    r"assistentin|kaufmann|kauffrau|adviseur|medewerker|leider|entwickler|entwicklerin|bearbeiter|"
    r"bearbeiterin|chef|sjef|paallikko|johtaja))$")  # Nordic compounds: 'Försäljningschef', 'Myyntipäällikkö'
# Department compounds: 'Personalabteilung', 'Rechtsabteilung', 'Verkoopafdeling'.
_DEPARTMENT_SUFFIX = re.compile(r".{3}(?:abteilung|afdeling)$")


def title_hits(text: str) -> int:
    vocab = words("title_words.txt")
    return sum(1 for t in tokens(text)
               if t in vocab or t.rstrip(".") in vocab or t.split("/")[0] in vocab or _TITLE_SUFFIX.search(t)
               or ("-" in t and any(part in vocab for part in t.split("-")))  # 'Sócia-Diretora'
               or any(t.startswith(p) and t[len(p):] in vocab for p in _TITLE_PREFIXES))


#: 'Subgerente', 'Subdirectora', 'Vicepresidente', 'Cofundador': a rank before a title word.
_TITLE_PREFIXES = ("sub", "vice", "co", "sous-", "stv.")


def department_hits(text: str) -> int:
    vocab = words("department_words.txt")
    return sum(1 for t in tokens(text) if t in vocab or _DEPARTMENT_SUFFIX.search(t))


def company_word_hits(text: str) -> int:
    vocab = words("company_words.txt")
    return sum(1 for t in tokens(text) if t in vocab)


@cache
def _legal_pattern() -> re.Pattern[str]:
    forms = sorted(set(phrases("legal_forms.txt")), key=len, reverse=True)
    alternatives = []
    for form in forms:
        # dots and spaces optional: 'S.A. de C.V.' matches 'SA de CV', 'S. A. de C. V.'
        parts = [re.escape(ch) if ch not in ". " else r"[.\s]?\s*" for ch in form.rstrip(".")]
        alternatives.append("".join(parts) + r"\.?")
    # (no hyphen after it: the 'Co' of 'Partner & Co-Founder' is no legal form)
    return re.compile(r"(?<![\w])(?:,\s*)?(" + "|".join(alternatives) + r")(?![\w-])", re.I)


# Legal forms that are also everyday words or initials: must be printed in capitals after a name.
_AMBIGUOUS_FORMS = frozenset({"me", "as", "ab", "ag", "se", "co", "sa", "sc", "ac", "oy", "nv", "bv", "kg",
                              "ug", "epp", "spa", "sas", "cb", "sci", "snc", "sl"})


def legal_form(text: str) -> str | None:
    """The legal form printed in a line ('S.L.', 'GmbH', 'S.A. de C.V.'), or None."""
    for m in _legal_pattern().finditer(text):
        form = m.group(1)
        key = fold(form).replace(".", "").replace(" ", "")
        before = text[: m.start()].strip(" ,")
        if not before or not re.search(r"[" + LETTERS + r"0-9]", before):
            continue
        if key in _AMBIGUOUS_FORMS and not (form.replace(".", "").replace(" ", "").isupper() or "." in form
                                            or form in phrases("legal_forms.txt")):
            continue
        if key in {"co"} and "&" not in before[-3:] and "." not in form:
            continue
        return form
    return None


def squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def matches_domain(text: str, domain_cores: list[str]) -> float:
    """How well a line matches a company domain ('Contoso Ltd' ~ contoso.com): 0..1."""
    squashed = squash(re.sub(_legal_pattern(), "", text))
    if len(squashed) < 3:
        return 0.0
    best = 0.0
    if "&" in text and any("and" in core for core in domain_cores):  # 'Bean & Gully': beanandgully
        best = matches_domain(text.replace("&", " and "), domain_cores)
    for core in domain_cores:
        if len(core) < 3:
            continue
        if squashed == core:
            return 1.0
        if core.startswith(squashed) or squashed.startswith(core):
            best = max(best, 0.85 if min(len(core), len(squashed)) >= 4 else 0.5)
        elif core in squashed or (len(squashed) >= 5 and squashed in core):
            best = max(best, 0.7)
        elif len(core) >= 5 and _spelled_by_prefixes(core, [squash(w) for w in text.split()]):
            best = max(best, 0.8)  # 'clarkevets' for 'Clarke Veterinary Surgery'
        elif min(len(core), len(squashed)) >= 5 and fuzz.ratio(squashed, core) >= 85:
            best = max(best, 0.7)  # one letter misread or missing: 'Optica da Jo' ~ oticadajo
        else:
            initials = "".join(w[0] for w in fold(text).split() if w[:1].isalpha())
            if len(initials) >= 2 and initials == core:
                best = max(best, 0.7)
    return best


def _spelled_by_prefixes(core: str, line_words: list[str]) -> bool:
    """The domain is the line's words cut short and run together, in order, from the first word
    (at least 3 letters of it, or all of a short one) over 2+ words: 'clarkevets' = Clarke +
    Vet(erinary) + S(urgery); up to two words of the line may be left out ('alreemhospital' for
    'Al Reem Specialty Hospital')."""
    line_words = [w for w in line_words if w]

    def spell(rest: str, k: int, used: int, skipped: int) -> bool:
        if not rest:
            return used >= 2
        if k >= len(line_words):
            return False
        word = line_words[k]
        for n in range(min(len(word), len(rest)), 0, -1):
            if (k > 0 or n >= 3 or n == len(word) >= 2) and rest.startswith(word[:n]) \
                    and spell(rest[n:], k + 1, used + 1, skipped):
                return True
        return used > 0 and skipped < 2 and spell(rest, k + 1, used, skipped + 1)

    return spell(core, 0, 0, 0)


# Words that join the parts of a department's name ('Research & Development', 'Recursos Humanos y
# Formación', 'Dirección de Operaciones').
_CONNECTORS = frozenset({"de", "del", "la", "las", "los", "el", "y", "e", "i", "and", "of", "the", "for",
                         "&", "+", "/", "-", "da", "do", "das", "dos", "des", "du", "et", "und", "für", "fur",
                         "al", "a"})
# Nouns that open the name of an organisational unit whatever follows ('Dirección Técnica',
# 'Departamento Comercial', 'Gerencia Administrativa'), unlike 'team' in 'Team Leader'.
_UNIT_HEADS = frozenset({"departamento", "department", "departament", "dept", "depto", "dpto", "direccion",
                         "direcao", "gerencia", "subdireccion", "area", "division", "divisao", "unidad",
                         "unidade", "jefatura", "coordinacion", "coordenacao", "abteilung", "dipartimento",
                         "vicepresidencia", "presidencia", "ufficio", "servizio", "reparto", "facultad",
                         "faculdade", "faculte", "faculty", "school", "escuela", "escola", "subsecretaria",
                         "dzial", "oddeleni", "afdeling", "avdeling", "avdelning", "diretoria"})


# Words beside which a printed 'AI' (artificial intelligence) stands in a title or a department;
# OCR reads its capital I as a small l ('Cloud & Al Department'), unlike the Spanish 'al'
# ('Atención al Cliente') or the Arabic 'Al' of a name.
_AI_NEIGHBOURS = frozenset({"&", "and", "+", "/", "of", "for", "in", "head", "department", "dept",
                            "engineer", "engineering", "research", "researcher", "lab", "labs",
                            "team", "product", "platform", "solutions", "architect", "lead",
                            "specialist", "scientist", "strategy", "innovation", "division",
                            "group", "consultant", "developer", "officer", "ethics", "safety",
                            "ml", "data", "services", "practice", "cloud"})


def capital_ai(text: str) -> str:
    """'Al' read for 'AI' in a title or a department, beside an English word it goes with."""
    toks = text.split()
    for i, tok in enumerate(toks):
        if tok != "Al":
            continue
        beside = {fold(t).strip(".,:;()") for t in toks[max(0, i - 1):i] + toks[i + 1:i + 2]}
        if beside & _AI_NEIGHBOURS:
            toks[i] = "AI"
    return " ".join(toks) if "Al" in text else text


def clean_department(text: str) -> str:
    """A department as printed, 'AI' mended (``capital_ai``), without a stray mark or letter
    OCR read beside either end ('Cloud & AI Department q', 'y Cloud & AI Department': no unit
    opens on a small letter alone)."""
    toks = capital_ai(text.strip(_EDGE_JUNK)).split()
    while len(toks) > 1 and len(toks[-1]) == 1 and toks[-1] not in "&+":
        toks.pop()
    while len(toks) > 1 and len(toks[0]) == 1 and toks[0].islower():
        toks.pop(0)
    return " ".join(_ampersand(toks))


def _ampersand(toks: list[str]) -> list[str]:
    """'&' read as a currency sign between two words ('Research € Development'): no title or
    department prints one there."""
    return [("&" if tok in _AMPERSAND_MISREADS and 0 < i < len(toks) - 1 else tok)
            for i, tok in enumerate(toks)]


_AMPERSAND_MISREADS = frozenset({"€", "£", "¢"})


def clean_title(text: str) -> str:
    """A title as printed, without three OCR slips: '&' read as '8' or '8:' between two title
    words ('Founder 8: CEO'), 'AI' read 'Al' (``capital_ai``), and one word read twice, once
    where it is printed and once more at the other end of the line ('Nutzfahrzeuge
    Verkaufsberater Volkswagen Nutzfahrzeuge')."""
    # 'Advogada - OAB/RJ 148.392': the council registration printed beside a title is no part of it
    text = REGISTERED_NUMBER.sub("", text) if REGISTERED_NUMBER.search(text) else text
    toks = _ampersand(capital_ai(text.strip(" -–—|·•:,;")).split())  # '- Gerente General'
    for i in range(1, len(toks) - 1):
        if re.fullmatch(r"8[:;.,]?", toks[i]) and (title_hits(toks[i - 1]) or function_hits(toks[i - 1])) \
                and (title_hits(toks[i + 1]) or function_hits(toks[i + 1])):
            toks[i] = "&"
    if len(toks) >= 3 and len(toks[0]) >= 3 and fold(toks[0]).strip(".,") == fold(toks[-1]).strip(".,"):
        # a title opens with its title or function word ('Sales Director'), not with a noun that
        # belongs at its end: that one is the copy
        opener = title_hits(toks[0]) or function_hits(toks[0])
        toks = toks[:-1] if opener else toks[1:]
    return " ".join(toks)


def function_hits(text: str) -> int:
    """Words naming a business function ('marketing', 'finanzas', 'research')."""
    vocab = words("function_words.txt")
    return sum(1 for t in tokens(text) if t in vocab)


def is_department(text: str) -> bool:
    """A line that names a department: 'Marketing', 'Recursos Humanos', 'Cloud & AI Department',
    'Departamento Técnico', 'Dirección Financiera' (never a title such as 'Marketing Manager')."""
    if re.search(r"\d", text) or "@" in text or legal_form(text):
        return False
    found = [t for t in tokens(text) if t and t not in _CONNECTORS]
    if not found or len(found) > 6:
        return False
    if found[0].rstrip(".") in _UNIT_HEADS and len(found) > 1:
        return True
    if title_hits(text):
        return False
    if department_hits(text):
        return True
    vocab = words("function_words.txt")
    return all(t in vocab or t.rstrip(".") in vocab for t in found)


_EDGE_JUNK = " ,;:_|[]{}<>~=\\/'\"‘’“”*•·¡¿–—"


def clean_org(text: str) -> str:
    """A company line without the stray marks OCR leaves at its ends ('Brunau _', 'Solutions]')."""
    text = text.strip(_EDGE_JUNK)
    # 'yh, investAlberta': a logo read as one or two small letters before a comma; 'a Eletrônica
    # ADACHI': a speck of the drawing beside the line read as one small letter
    text = re.sub(r"^[a-z]{1,2},\s+(?=\w)", "", text)
    text = re.sub(r"^[a-z]\s+(?=[A-ZÀ-Þ])", "", text)
    # 'ADACHI Ltda. 5': one stray character after the legal form that ends the name
    stray = re.search(r"\s+\w$", text)
    if stray:
        head = text[: stray.start()]
        form = legal_form(head)
        if form and head.endswith(form):
            text = head
    if text.count("(") != text.count(")"):
        text = text.strip("()").strip(_EDGE_JUNK)
    # 'CHIPOTLE MEXICAN GRILL, IP': a legal form cut short by OCR leaves one or two letters after
    # the comma that are no legal form ('SA', 'AG', 'AB' are kept)
    cut = re.match(r"(.*\w.*?),\s*[A-Za-z]{1,2}\.?$", text)
    if cut and not legal_form(text):
        text = cut.group(1).strip(_EDGE_JUNK)
    return text


def _junk_token(toks: list[str], i: int) -> bool:
    """One word of a line that is OCR debris (see is_junk)."""
    tok = toks[i]
    letters = re.sub(r"[^" + LETTERS + r"0-9&+]", "", tok)
    inner = 0 < i < len(toks) - 1
    if not letters or (len(letters) >= 2 and len(set(letters.lower())) == 1):
        return True  # marks, or one letter repeated ('eee', 'll'): a texture read as text
    if tok.count("(") != tok.count(")") or tok.count("[") != tok.count("]") or "]" in tok:
        return True
    if len(letters) == 1 and letters.isalpha():
        return not (inner and fold(letters) in _CONNECTORS) and not tok.endswith(".")
    # a short number between short words: a name line read wrong ('Jo 56 Carlos'), no 'Hotel 5 Estrellas'
    return inner and letters.isdigit() and len(letters) <= 2 \
        and (len(toks[i - 1]) <= 2 or len(toks[i + 1]) <= 2)


def is_junk(text: str) -> bool:
    """OCR debris rather than a name: a third or more of its words are stray letters or marks
    ('E UIT Solutions]'), or a short number sits between two short words ('Jo 56 Carlos').
    The letters of a legal form are no strays ('Wisła Software Sp. z o.o.')."""
    form = legal_form(text)
    toks = text.split()
    if form:
        toks = [t for t in text.replace(form, " ").split() if re.search(r"\w", t)] or toks
    if not toks:
        return True
    junk = sum(_junk_token(toks, i) for i in range(len(toks)))
    if len(toks) <= 2:
        return junk == len(toks)
    return 3 * junk >= len(toks)


def only_descriptive_words(text: str) -> bool:
    """Every word is a common company noun or a business function ('IT Solutions', 'Digital
    Solutions', 'web solutions'): a tagline under a logo, not the company's name."""
    found = [t for t in tokens(text) if t and t not in _CONNECTORS]
    return bool(found) and all(t in firm_words() for t in found)


def only_generic_words(text: str) -> bool:
    """Every word is a common company noun ('RESTAURANTE', 'Consulting Group'): what the business
    is, not its name."""
    found = [t for t in tokens(text) if t and t not in _CONNECTORS]
    vocab = words("company_words.txt")
    return bool(found) and all(t in vocab for t in found)
