"""The review page: one self-contained HTML file showing each card's crop beside its fields.

People check a batch faster by looking than by reading vCards: low-confidence fields
are highlighted, merges and failures are listed. Images are embedded as data URIs
and every text is escaped, so the page opens anywhere, offline.
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Sequence
from html import escape
from pathlib import Path

from cardscan.batch.model import CardOutcome, Failure
from cardscan.models import LOW_CONFIDENCE, Contact

STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;background:#fafafa}
h1{font-size:1.4rem} h2{font-size:1.1rem;margin-top:2rem}
.summary span{margin-right:1rem}
.card{display:flex;gap:1rem;align-items:flex-start;background:#fff;border:1px solid #ddd;
border-radius:6px;padding:.8rem;margin:.8rem 0}
.card img{max-width:360px;max-height:240px;border:1px solid #ccc}
.noimg{width:240px;height:150px;border:1px dashed #bbb;display:flex;align-items:center;
justify-content:center;color:#888}
table{border-collapse:collapse} td,th{text-align:left;padding:.15rem .6rem;vertical-align:top}
th{color:#666;font-weight:normal}
tr.low td{background:#fff3b0} tr.low td::after{content:" ⚠";color:#b36b00}
.status{display:inline-block;border-radius:3px;padding:0 .4rem;font-size:.85rem;color:#fff}
.added{background:#2e7d32}.merged{background:#1565c0}.unchanged{background:#757575}
.skipped{background:#9e9e9e}.failed{background:#c62828}
.notes{color:#666;font-size:.85rem}
details pre{white-space:pre-wrap;font-size:.8rem;background:#f0f0f0;padding:.4rem}
"""

#: Marks each embedded image as decoded (data-decoded="yes") once the page has loaded,
#: so a headless browser can tell that the images really render.
SCRIPT = """
window.addEventListener('load', function () {
  document.querySelectorAll('img.crop').forEach(function (img) {
    img.dataset.decoded = (img.complete && img.naturalWidth > 0) ? 'yes' : 'no';
  });
});
"""


def _row(label: str, value: str, confidence: float | None, field: str) -> str:
    if not value:
        return ""
    low = confidence is not None and confidence < LOW_CONFIDENCE
    klass = ' class="low"' if low else ""
    title = f' title="confidence {confidence:.2f}"' if confidence is not None else ""
    return (f'<tr{klass} data-field="{escape(field)}"{title}><th>{escape(label)}</th>'
            f"<td>{escape(value)}</td></tr>")


def _fields(contact: Contact) -> str:
    conf = contact.confidence
    rows = [
        _row("Name", contact.name.full if contact.name else "",
             conf.get("name", contact.name.confidence if contact.name else None), "name"),
        _row("Title", contact.title, conf.get("title"), "title"),
        _row("Department", contact.department, conf.get("department"), "department"),
        _row("Organisation", contact.org, conf.get("org"), "org"),
    ]
    rows += [_row(f"Phone ({p.type})", p.number + (f"  (printed {p.printed})"
                                                    if p.printed and p.printed != p.number else ""),
                  p.confidence, "tel") for p in contact.phones]
    rows += [_row("Email", e.address, e.confidence, "email") for e in contact.emails]
    rows += [_row("Web", w.url, w.confidence, "url") for w in contact.websites]
    adr = contact.address
    if adr:
        text = ", ".join(x for x in (adr.street, adr.postal_code, adr.city, adr.region,
                                     adr.country) if x)
        rows.append(_row("Address", text, conf.get("address", adr.confidence), "adr"))
    return "<table>" + "".join(rows) + "</table>"


def _card(card: CardOutcome) -> str:
    if card.crop_jpeg:
        data = base64.b64encode(card.crop_jpeg).decode("ascii")
        image = (f'<img class="crop" alt="card from {escape(card.source.file)}" '
                 f'src="data:image/jpeg;base64,{data}">')
    else:
        image = '<div class="noimg">no image</div>'
    where = escape(card.source.file)
    if card.source.card_index:
        where += f" (card {card.source.card_index + 1})"
    said = " ".join(card.notes).lower()
    extra = [] if card.detected or "no card outline" in said else ["no card outline: whole photo"]
    notes = "; ".join(card.notes + extra)
    text = (f"<details><summary>OCR text</summary><pre>{escape(card.ocr_text)}</pre></details>"
            if card.ocr_text else "")
    return (f'<section class="card" data-status="{escape(card.status)}" '
            f'data-uid="{escape(card.uid)}">{image}<div>'
            f'<div><span class="status {escape(card.status)}">{escape(card.status)}</span> '
            f"<b>{escape(card.contact.display_name)}</b> · {where}</div>"
            f"{_fields(card.contact)}"
            + (f'<div class="notes">{escape(notes)}</div>' if notes else "")
            + f"{text}</div></section>")


def render(cards: Sequence[CardOutcome], failures: Sequence[Failure],
           title: str = "cardscan review") -> str:
    """The review page as one HTML string."""
    counts = {s: sum(1 for c in cards if c.status == s)
              for s in ("added", "merged", "unchanged", "skipped")}
    summary = "".join(f"<span>{n} {s}</span>" for s, n in counts.items())
    summary += f"<span>{len(failures)} failed</span>"
    from datetime import datetime

    photos = len({c.source.path or c.source.file for c in cards} | {f.path for f in failures})
    summary += (f"<span>{photos} photo(s)</span>"
                f"<span>{escape(datetime.now().strftime('%Y-%m-%d %H:%M'))}</span>")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style><script>{SCRIPT}</script>",
        f'</head><body><h1>{escape(title)}</h1><p class="summary">{summary}</p>',
        f'<h2>Cards</h2><div id="cards">{"".join(_card(c) for c in cards)}</div>',
    ]
    merged = [c for c in cards if c.status == "merged"]
    if merged:
        items = "".join(
            f"<li>{escape(c.source.file)}: merged into <b>{escape(c.contact.display_name)}</b> "
            f"({escape(c.uid)})</li>" for c in merged)
        parts.append(f'<h2>Merged into existing contacts</h2><ul id="merges">{items}</ul>')
    if failures:
        items = "".join(f'<li><b class="file">{escape(f.path.name)}</b>: '
                        f'<span class="reason">{escape(f.reason)}</span></li>' for f in failures)
        parts.append(f'<h2>Failures</h2><ul id="failures">{items}</ul>')
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(results: Sequence[CardOutcome], failures: Sequence[Failure], path: Path) -> Path:
    """Write the review page atomically (temp file + rename); return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(render(results, failures))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
