"""Score cardscan's output against ground truth.

Truth and predictions use the field names of docs/architecture.md (`fn`, `prefix`, `title`,
`department`, `org`, `tels` [{e164, type, printed}], `emails`, `urls`, `adr` {street, city,
postal, region, country}). Values are compared after normalisation:

- text fields: Unicode NFC, case-folded (accents kept: "Peña" != "Pena"), whitespace collapsed,
  surrounding punctuation and a trailing full stop ignored;
- phones: E.164 plus type (`cell`/`work`/`fax`/`voice`); a truth phone whose `e164` is null
  (printed without its area code) matches a predicted phone whose E.164 digits end with the
  printed digits (a leading trunk 0 dropped) and its type is not compared;
- emails: lower-case; URLs: lower-case without scheme, `www.`, trailing slash (twitter.com = x.com);
- `adr.country`: both sides resolved to an ISO code when possible; scored only when the card
  prints a country (a country the parser derives from other evidence is neither a hit nor a miss).

Counts per field: a hit (tp), a value the scanner gave that the truth lacks or contradicts
(fp), a truth value the scanner missed or got wrong (fn). Micro F1 pools them over all fields.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

SCALAR_FIELDS = ("fn", "prefix", "title", "department", "org")
ADR_FIELDS = ("street", "city", "postal", "region", "country")
LIST_FIELDS = ("tels", "emails", "urls")
#: Every field that enters micro F1, in report order.
FIELDS = (*SCALAR_FIELDS, *LIST_FIELDS, *(f"adr.{name}" for name in ADR_FIELDS))

COUNTRY_ALIASES = {
    "españa": "ES", "spain": "ES", "méxico": "MX", "mexico": "MX", "usa": "US", "u.s.a.": "US",
    "united states": "US", "united states of america": "US", "ee.uu.": "US", "estados unidos": "US",
    "uk": "GB", "u.k.": "GB", "united kingdom": "GB", "reino unido": "GB", "great britain": "GB",
    "england": "GB", "argentina": "AR", "colombia": "CO", "france": "FR", "francia": "FR",
    "germany": "DE", "deutschland": "DE", "alemania": "DE", "brasil": "BR", "brazil": "BR",
}


# ---------------------------------------------------------------- normalisation


def norm_text(value: Any) -> str:
    """Case-folded, accent-preserving, whitespace-collapsed text ('' for None)."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).casefold()
    text = re.sub(r"\s+", " ", text).strip(" \t,;:|·-–—")
    return text.removesuffix(".").strip()


def norm_email(value: Any) -> str:
    return str(value or "").strip().lower()


def norm_url(value: Any) -> str:
    text = str(value or "").strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = text.removeprefix("www.").rstrip("/")
    return re.sub(r"^twitter\.com/", "x.com/", text)


def digits(value: Any) -> str:
    return re.sub(r"\D", "", str(value or ""))


def norm_country(value: Any) -> str:
    """An ISO alpha-2 code when the name is known, else the normalised text."""
    text = norm_text(value)
    if not text:
        return ""
    if text in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[text]
    if len(text) == 2 and text.isalpha():
        return text.upper()
    try:
        import pycountry

        return pycountry.countries.lookup(text).alpha_2
    except (ImportError, LookupError):
        return text


def norm_phone_type(value: Any) -> str:
    text = str(value or "voice").lower()
    return {"mobile": "cell", "home": "voice", "main": "work"}.get(text, text)


def truths_of(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The card truths of one image: `truths` for multi-card photos, else the record itself."""
    return [dict(t) for t in doc["truths"]] if doc.get("truths") else [dict(doc)]


# ---------------------------------------------------------------- counts


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _scalar(truth: str, pred: str) -> Counts:
    if truth and pred:
        return Counts(tp=1) if truth == pred else Counts(fp=1, fn=1)
    return Counts(fn=1 if truth else 0, fp=1 if pred else 0)


def _multiset(truth: Iterable[str], pred: Iterable[str]) -> Counts:
    t, p = Counter(v for v in truth if v), Counter(v for v in pred if v)
    hits = sum((t & p).values())
    return Counts(tp=hits, fp=sum(p.values()) - hits, fn=sum(t.values()) - hits)


def _phone_counts(truth: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]],
                  with_type: bool) -> Counts:
    """Phones matched one to one; e164-less truths match by printed digits (see module doc)."""
    remaining = [(digits(p.get("e164")), norm_phone_type(p.get("type"))) for p in pred
                 if digits(p.get("e164"))]
    counts = Counts()
    # Exact E.164 truths first so a digits-only truth cannot steal their match.
    ordered = sorted(truth, key=lambda t: t.get("e164") is None)
    for tel in ordered:
        want = digits(tel.get("e164"))
        kind = norm_phone_type(tel.get("type"))
        found = None
        for i, (number, ptype) in enumerate(remaining):
            if want:
                if number == want and (not with_type or ptype == kind):
                    found = i
                    break
            else:
                printed = digits(tel.get("printed")).lstrip("0")
                if printed and len(printed) >= 6 and number.endswith(printed):
                    found = i
                    break
        if found is None:
            counts.fn += 1
        else:
            counts.tp += 1
            remaining.pop(found)
    counts.fp += len(remaining)
    return counts


def score_card(truth: Mapping[str, Any] | None, pred: Mapping[str, Any] | None
               ) -> dict[str, Counts]:
    """Per-field counts for one card. A None side counts everything on the other as missed/extra."""
    truth = truth or {}
    pred = pred or {}
    unsure = set(truth.get("unsure") or [])
    out: dict[str, Counts] = {}
    for name in SCALAR_FIELDS:
        out[name] = _scalar(norm_text(truth.get(name)), norm_text(pred.get(name)))
    out["tels"] = _phone_counts(truth.get("tels") or [], pred.get("tels") or [], with_type=True)
    out["emails"] = _multiset(map(norm_email, truth.get("emails") or []),
                              map(norm_email, pred.get("emails") or []))
    out["urls"] = _multiset(map(norm_url, truth.get("urls") or []),
                            map(norm_url, pred.get("urls") or []))
    t_adr, p_adr = truth.get("adr") or {}, pred.get("adr") or {}
    for name in ADR_FIELDS:
        if name == "country":
            t_val, p_val = norm_country(t_adr.get(name)), norm_country(p_adr.get(name))
            if not t_val:
                p_val = ""  # see module doc: only printed countries are scored
        else:
            t_val, p_val = norm_text(t_adr.get(name)), norm_text(p_adr.get(name))
        out[f"adr.{name}"] = _scalar(t_val, p_val)
    for name in unsure:
        out.pop(name, None)
    return out


def phone_numbers_counts(truth: Mapping[str, Any] | None, pred: Mapping[str, Any] | None
                         ) -> Counts:
    """Phones compared by number only (type ignored): informative, not in micro F1."""
    return _phone_counts((truth or {}).get("tels") or [], (pred or {}).get("tels") or [],
                         with_type=False)


# ---------------------------------------------------------------- OCR text


def _lines(text: str) -> list[str]:
    return [re.sub(r"\s+", " ", line).strip() for line in (text or "").splitlines()
            if line.strip()]


def char_errors(truth_text: str, ocr_text: str) -> tuple[int, int]:
    """(edit operations, truth characters) between OCR text and the printed text.

    Tolerant of reading order: Tesseract may read a two-column card row by row (two printed
    lines on one OCR line) or column by column. Each printed line, longest first, is aligned
    with its best-matching stretch inside one OCR line not used yet (rapidfuzz partial
    alignment, widened to whole words) with the smallest Levenshtein distance, and costs that
    distance; a line with no fair match (over half its length wrong) costs its length. OCR
    characters left over (spaces aside) count as insertions. Whitespace runs count as one space.
    """
    truth_lines = sorted(_lines(truth_text), key=len, reverse=True)
    total = sum(len(line) for line in truth_lines)
    remaining = _lines(ocr_text)
    errors = 0
    for line in truth_lines:
        best: tuple[int, int, int, int] | None = None  # (distance, OCR line, start, end)
        for index, candidate in enumerate(remaining):
            if not candidate.strip():
                continue
            start, end = _stretch(line, candidate)
            distance = Levenshtein.distance(line, candidate[start:end].strip())
            if best is None or distance < best[0]:
                best = (distance, index, start, end)
        if best is None or best[0] > len(line) / 2:
            errors += len(line)
            continue
        distance, index, start, end = best
        errors += distance
        remaining[index] = remaining[index][:start] + " " + remaining[index][end:]
    errors += sum(1 for text in remaining for c in text if not c.isspace())
    return errors, total


def _stretch(line: str, candidate: str) -> tuple[int, int]:
    """Where ``line`` sits in one OCR line: its best partial alignment, widened to whole words."""
    found = fuzz.partial_ratio_alignment(line, candidate)
    start, end = (found.dest_start, found.dest_end) if found else (0, len(candidate))
    if len(candidate) < len(line):  # the alignment went the other way round
        start, end = 0, len(candidate)
    while start > 0 and not candidate[start - 1].isspace():
        start -= 1
    while end < len(candidate) and not candidate[end].isspace():
        end += 1
    return start, end


def char_accuracy(truth_text: str, ocr_text: str) -> float:
    """1 - edit distance / truth length (can go below 0 when OCR invents much text)."""
    errors, total = char_errors(truth_text, ocr_text)
    return 1.0 - errors / total if total else (1.0 if not errors else 0.0)


# ---------------------------------------------------------------- values present in the OCR text


def _value_norm(value: Any) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(value or "")).casefold()).strip()


def _line_digits(text: str) -> list[str]:
    return [digits(line) for line in (text or "").splitlines()]


def _in_text(field_name: str, value: str, text: str) -> bool:
    """Whether a printed value appears in `text` (phones by their digits within one line)."""
    if field_name == "tels":
        wanted = digits(value)
        return bool(wanted) and any(wanted in line for line in _line_digits(text))
    wanted = _value_norm(value)
    return bool(wanted) and wanted in _value_norm(text)


def printed_values(truth: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, value) of every value printed on the card: scalars, phones as printed, emails,
    URLs, address parts. With the card's printed `text` known (generated cards) a value not in
    it (a URL only in a QR code) is left out; `unsure` fields are left out."""
    unsure = set(truth.get("unsure") or [])
    values: list[tuple[str, str]] = [(n, truth.get(n) or "") for n in SCALAR_FIELDS]
    values += [("tels", t.get("printed") or "") for t in truth.get("tels") or []]
    values += [(n, v) for n in ("emails", "urls") for v in truth.get(n) or []]
    adr = truth.get("adr") or {}
    values += [(f"adr.{n}", adr.get(n) or "") for n in ADR_FIELDS]
    values = [(n, str(v)) for n, v in values if v and n not in unsure]
    printed = truth.get("text")
    if printed is not None:
        values = [(n, v) for n, v in values if _in_text(n, v, printed)]
    return values


def present_in_text(truth: Mapping[str, Any], ocr_text: str) -> tuple[int, int, list[str]]:
    """(values found in the OCR text, values printed, the missing ones as 'field: value')."""
    values = printed_values(truth)
    missing = [f"{n}: {v}" for n, v in values if not _in_text(n, v, ocr_text)]
    return len(values) - len(missing), len(values), missing


# ---------------------------------------------------------------- photos with several cards


def match_cards(truths: Sequence[Mapping[str, Any]], preds: Sequence[Mapping[str, Any]]
                ) -> list[tuple[int | None, int | None]]:
    """Pair truth cards with predicted cards of one photo, maximising the fields that agree.

    Returns (truth index, pred index) pairs; None on one side for an unpaired card.
    """
    if not truths or not preds:
        return [(i, None) for i in range(len(truths))] + [(None, j) for j in range(len(preds))]
    gain = [[sum(c.tp for c in score_card(t, p).values()) for p in preds] for t in truths]
    n, m = len(truths), len(preds)
    if n <= 6 and m <= 6:
        best: tuple[int, list[tuple[int, int]]] = (-1, [])
        if n <= m:
            for perm in itertools.permutations(range(m), n):
                pairs = list(enumerate(perm))
                total = sum(gain[i][j] for i, j in pairs)
                if total > best[0]:
                    best = (total, pairs)
        else:
            for perm in itertools.permutations(range(n), m):
                pairs = [(i, j) for j, i in enumerate(perm)]
                total = sum(gain[i][j] for i, j in pairs)
                if total > best[0]:
                    best = (total, pairs)
        pairs = best[1]
    else:  # greedy for unusually crowded photos
        order = sorted(((gain[i][j], i, j) for i in range(n) for j in range(m)), reverse=True)
        pairs, ti, pj = [], set(), set()
        for _, i, j in order:
            if i not in ti and j not in pj:
                pairs.append((i, j))
                ti.add(i)
                pj.add(j)
    result: list[tuple[int | None, int | None]] = list(pairs)
    result += [(i, None) for i in range(n) if i not in {p[0] for p in pairs}]
    result += [(None, j) for j in range(m) if j not in {p[1] for p in pairs}]
    return result


# ---------------------------------------------------------------- a whole set


def _raw(record: Mapping[str, Any] | None, name: str) -> Any:
    """A field's value as stored (for miss examples): phones shortened to 'e164/type'."""
    record = record or {}
    if name.startswith("adr."):
        return (record.get("adr") or {}).get(name[4:])
    if name == "tels":
        return [f"{t.get('e164') or t.get('printed')}/{t.get('type')}"
                for t in record.get("tels") or []]
    return record.get(name)


@dataclass
class SetScore:
    """Accumulated scores over many photos."""

    fields: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in FIELDS})
    phone_numbers: Counts = field(default_factory=Counts)
    cards: int = 0  # truth cards
    perfect: int = 0  # truth cards with every field right and nothing extra
    extra_cards: int = 0  # predicted cards with no truth card
    ocr_errors: int = 0
    ocr_chars: int = 0
    ocr_cards: int = 0  # cards whose OCR text could be compared
    values_present: int = 0  # printed values found anywhere in the photo's OCR text
    values_printed: int = 0
    misses: Counter[str] = field(default_factory=Counter)  # "field missed|extra|wrong" -> count
    examples: dict[str, list[str]] = field(default_factory=dict)  # a few "truth -> pred" each

    def add_photo(self, truth_doc: Mapping[str, Any], preds: Sequence[Mapping[str, Any]]
                  ) -> list[dict[str, Any]]:
        """Score one photo: its truth record and the JSON lines cardscan printed for it.

        Returns one record per card (what was missed, the OCR accuracy) for a details file.
        """
        truths = truths_of(truth_doc)
        details: list[dict[str, Any]] = []
        photo_text = "\n".join(p.get("ocr_text") or "" for p in preds)
        not_in_ocr = []
        for truth_card in truths:
            found, printed, missing = present_in_text(truth_card, photo_text)
            self.values_present += found
            self.values_printed += printed
            not_in_ocr.append(missing)
        for ti, pj in match_cards(truths, [p.get("fields") or {} for p in preds]):
            truth = truths[ti] if ti is not None else None
            pred_line = preds[pj] if pj is not None else None
            pred = (pred_line or {}).get("fields") or {}
            if truth is None:
                self.extra_cards += 1
            else:
                self.cards += 1
            per_field = score_card(truth, pred)
            record: dict[str, Any] = {"card": ti, "pred": pj, "misses": {},
                                      "not_in_ocr": not_in_ocr[ti] if ti is not None else []}
            for name, counts in per_field.items():
                self.fields[name].add(counts)
                if counts.fn or counts.fp:
                    self._note_miss(name, truth, pred, counts)
                    record["misses"][name] = [_raw(truth, name), _raw(pred, name)]
            details.append(record)
            self.phone_numbers.add(phone_numbers_counts(truth, pred))
            if truth is not None and all(not c.fp and not c.fn for c in per_field.values()):
                self.perfect += 1
            if truth is not None and truth.get("text") is not None:
                errors, total = char_errors(truth["text"], (pred_line or {}).get("ocr_text") or "")
                self.ocr_errors += errors
                self.ocr_chars += total
                self.ocr_cards += 1
                record["char_accuracy"] = round(1 - errors / total, 4) if total else None
        return details

    def _note_miss(self, name: str, truth: Mapping[str, Any] | None, pred: Mapping[str, Any],
                   counts: Counts) -> None:
        kind = "missed" if counts.fn and not counts.fp else "extra" if counts.fp and not counts.fn \
            else "wrong"
        key = f"{name} {kind}"
        self.misses[key] += max(counts.fn, counts.fp)
        shown = self.examples.setdefault(key, [])
        if len(shown) < 4:
            shown.append(f"{_raw(truth, name)!r} -> {_raw(pred, name)!r}")

    @property
    def micro(self) -> Counts:
        total = Counts()
        for counts in self.fields.values():
            total.add(counts)
        return total

    @property
    def char_accuracy(self) -> float | None:
        return 1.0 - self.ocr_errors / self.ocr_chars if self.ocr_chars else None

    def summary(self) -> dict[str, Any]:
        """Plain numbers for results.json."""
        micro = self.micro
        return {
            "cards": self.cards,
            "extra_cards": self.extra_cards,
            "micro_precision": round(micro.precision, 4),
            "micro_recall": round(micro.recall, 4),
            "micro_f1": round(micro.f1, 4),
            "perfect_cards": round(self.perfect / self.cards, 4) if self.cards else None,
            "char_accuracy": (round(self.char_accuracy, 4)
                              if self.char_accuracy is not None else None),
            "phone_numbers_recall": round(self.phone_numbers.recall, 4),
            "present_in_ocr": (round(self.values_present / self.values_printed, 4)
                               if self.values_printed else None),
            "fields": {name: {"precision": round(c.precision, 4), "recall": round(c.recall, 4),
                              "tp": c.tp, "fp": c.fp, "fn": c.fn}
                       for name, c in self.fields.items()},
            "top_misses": [{"what": key, "count": n, "examples": self.examples.get(key, [])}
                           for key, n in self.misses.most_common(12)],
        }
