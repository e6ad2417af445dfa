"""`make bench`: accuracy and speed of `cardscan scan` on generated and real card photos.

1. Generates (or reuses from bench/cache/) a seeded set of cards, each as a flat scan and as a
   phone photo, with ground truth (samples/generate.py).
2. Runs `cardscan scan FILES --out BOOK --json --rescan --jobs N --quiet` for each N, on the
   photos and on the flat scans; scores the JSON lines against the truth (tools/scoring.py).
3. Runs a plain `tesseract IMAGE - -l spa+eng` (OMP_THREAD_LIMIT=1) over the same photos with
   the same number of workers and prints scan time / tesseract time.
4. Samples /proc while a scan runs for the peak RSS (VmHWM) of every process in its tree.
5. Runs the last photo scan again without --rescan: the time to resume a finished batch.
6. Scores ../shared/realcards/ against truth.jsonl (printed first: F1, recall per field and the
   share of printed values present anywhere in the OCR text), times it against plain tesseract.
7. Generates one set per real-card class of issue 13 (samples/generate.py CLASSES: logo boxes,
   QR codes, mid-tone panels, top bands, pictures, low-res scans, other countries) and scores
   each class on flat scans and photos, one row each.
8. Measures the QR decoders (zxing-cpp, OpenCV, zbar) on the real cards and the QR class sets.

Prints tables and writes bench/results.json.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import scoring  # noqa: E402  (tools/ is not a package)

CACHE = ROOT / "bench" / "cache"
RESULTS = ROOT / "bench" / "results.json"  # the default run's figures (committed)
REALCARDS = ROOT.parent / "shared" / "realcards"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic"}
TARGETS = {  # from the issues; printed beside the figures
    "photo micro F1 >= 0.95": lambda r: _get(r, "sets", "photo", "micro_f1", ge=0.95),
    "flat micro F1 >= 0.98": lambda r: _get(r, "sets", "flat", "micro_f1", ge=0.98),
    "photo char accuracy >= 0.97": lambda r: _get(r, "sets", "photo", "char_accuracy", ge=0.97),
    "photo char accuracy within 1 pt of flat": lambda r: _within(r),
    "flat recall >= 0.97 for fn, org, tels, emails": lambda r: _flat_recalls(r),
    "scaling 1 -> 2 jobs >= 1.8x": lambda r: _get(r, "speed", "scaling", ge=1.8),
    "scan / plain tesseract <= 1.0 (same jobs)": lambda r: _get(r, "speed", "max_ratio", le=1.0),
    "scan / plain tesseract <= 0.6 (same jobs)": lambda r: _get(r, "speed", "max_ratio", le=0.6),
    "12 MP phone photos: scan / plain tesseract <= 0.6": lambda r: _phone_ratio(r, 0.6),
    "resume of a finished batch < 2% of the scan": lambda r: _get(r, "resume", "share", le=0.02),
    "real cards micro F1 >= 0.88": lambda r: _get(r, "sets", "real", "micro_f1", ge=0.88),
    "real cards: >= 92% of printed values in the OCR text":
        lambda r: _get(r, "sets", "real", "present_in_ocr", ge=0.92),
    "every generated class >= 0.93 (flat and photo)": lambda r: _classes_ok(r),
}
SET_ORDER = ("real", "flat", "photo")  # the real cards first: they are what matters


def _phone_ratio(results: dict[str, Any], most: float) -> bool | None:
    ratios = [run["ratio"] for run in results.get("speed", {}).get("runs", [])
              if run.get("set") == "phone12" and run.get("ratio")]
    return ratios[0] <= most if ratios else None


def _classes_ok(results: dict[str, Any]) -> bool | None:
    scores = [kinds[k]["micro_f1"] for kinds in results.get("classes", {}).values()
              for k in ("flat", "photo") if k in kinds]
    return all(f >= 0.93 for f in scores) if scores else None


def _get(results: dict[str, Any], *keys: str, ge: float | None = None,
         le: float | None = None) -> bool | None:
    value: Any = results
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, int | float):
        return None
    return value >= ge if ge is not None else value <= (le if le is not None else value)


def _within(results: dict[str, Any]) -> bool | None:
    sets = results.get("sets", {})
    flat, photo = (sets.get(k, {}).get("char_accuracy") for k in ("flat", "photo"))
    return None if flat is None or photo is None else photo >= flat - 0.01


def _flat_recalls(results: dict[str, Any]) -> bool | None:
    fields = results.get("sets", {}).get("flat", {}).get("fields")
    if not fields:
        return None
    return all(fields[name]["recall"] >= 0.97 for name in ("fn", "org", "tels", "emails"))


# ---------------------------------------------------------------- the generated set


def load_generator() -> Any:
    name = "cardscan_samples_generate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "samples" / "generate.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _generate_chunk(out: str, first: int, count: int, seed: int, classes: tuple[str, ...]) -> int:
    return len(load_generator().generate(Path(out), count, seed, "both", first=first,
                                         classes=classes))


def ensure_set(count: int, seed: int, jobs: int, classes: tuple[str, ...] = ()) -> Path:
    """The cached set for (classes, count, seed, generator source); generated when missing or stale."""
    source = (ROOT / "samples" / "generate.py").read_bytes()
    key = hashlib.sha256(source).hexdigest()[:12]
    prefix = f"class-{'+'.join(classes)}-" if classes else ""
    folder = CACHE / f"{prefix}set-n{count}-s{seed}-{key}"
    if (folder / "manifest.json").is_file():
        return folder
    CACHE.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="gen-", dir=CACHE))
    started = time.perf_counter()
    chunk = max(1, -(-count // (jobs * 4)))
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_generate_chunk, str(staging), first, min(chunk, count - first), seed,
                               classes) for first in range(0, count, chunk)]
        for future in futures:
            future.result()
    manifest = {"count": count, "seed": seed, "generator": key,
                "seconds": round(time.perf_counter() - started, 1)}
    (staging / "manifest.json").write_text(json.dumps(manifest) + "\n")
    if folder.exists():
        shutil.rmtree(folder)
    staging.rename(folder)
    log(f"generated {count} {'+'.join(classes) or 'standard'} cards (flat + photo) in "
        f"{manifest['seconds']} s -> {folder}")
    return folder


def images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def truth_for(image: Path) -> dict[str, Any]:
    return json.loads(image.with_suffix(".json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- process-tree memory


class TreeSampler(threading.Thread):
    """Polls /proc for every process under a root pid and keeps each one's peak RSS.

    It reads VmHWM (the kernel's own high-water mark of resident memory) of each process in
    the tree at every tick, so a worker's peak is exact as long as the worker lives for one
    tick (0.1 s); `tree_peak` is the largest sum of current VmRSS seen at one tick.
    """

    def __init__(self, root_pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.interval = interval
        self.peaks: dict[int, tuple[str, int]] = {}  # pid -> (name, peak kB)
        self.tree_peak_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2)

    def sample(self) -> None:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        todo, total = [self.root_pid], 0
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, []))
            status = self._status(pid)
            if not status:
                continue
            name = status.get("Name", "?")
            hwm = int(status.get("VmHWM", "0 kB").split()[0])
            total += int(status.get("VmRSS", "0 kB").split()[0])
            old = self.peaks.get(pid, (name, 0))[1]
            self.peaks[pid] = (name, max(old, hwm))
        self.tree_peak_kb = max(self.tree_peak_kb, total)

    @staticmethod
    def _status(pid: int) -> dict[str, str]:
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return {}
        return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)

    def summary(self) -> dict[str, Any]:
        """Main process, the largest worker, the largest tesseract child, the whole tree (MB)."""
        main = self.peaks.get(self.root_pid, ("?", 0))[1]
        others = [(name, kb) for pid, (name, kb) in self.peaks.items() if pid != self.root_pid]
        workers = [kb for name, kb in others if not name.startswith("tesseract")]
        engines = [kb for name, kb in others if name.startswith("tesseract")]
        return {
            "main_mb": round(main / 1024, 1),
            "workers": len(workers),
            "worker_peak_mb": round(max(workers) / 1024, 1) if workers else None,
            "tesseract_children": len(engines),
            "tesseract_peak_mb": round(max(engines) / 1024, 1) if engines else None,
            "tree_peak_mb": round(self.tree_peak_kb / 1024, 1),
        }


# ---------------------------------------------------------------- running cardscan


@dataclass
class ScanRun:
    seconds: float
    returncode: int | None
    lines: list[dict[str, Any]] = field(default_factory=list)
    stderr_tail: str = ""
    memory: dict[str, Any] = field(default_factory=dict)
    timed_out: bool = False

    def by_source(self) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for line in self.lines:
            name = Path(str(line.get("source") or line.get("path") or "")).name
            grouped.setdefault(name, []).append(line)
        return grouped

    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for line in self.lines:
            status = str(line.get("status", "?"))
            counts[status] = counts.get(status, 0) + 1
        return counts


def cardscan_command() -> list[str]:
    # `python -m cardscan` with the project on PYTHONPATH: works with or without the console
    # script and measures the working tree, not an older installed copy.
    return [sys.executable, "-m", "cardscan"]


def scan_env(config_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["CARDSCAN_CONFIG"] = str(config_dir / "none.toml")  # the user's config must not leak in
    for var in ("CARDSCAN_REGION", "CARDSCAN_LANG", "CARDSCAN_BOOK"):
        env.pop(var, None)
    # OMP_THREAD_LIMIT is deliberately not set: cardscan must set it for its own Tesseract calls.
    env.pop("OMP_THREAD_LIMIT", None)
    return env


def probe_scan(env: dict[str, str]) -> tuple[set[str], str]:
    """The scan options cardscan offers now, or an explanation of why it cannot run."""
    try:
        proc = subprocess.run([*cardscan_command(), "scan", "--help"], capture_output=True,
                              text=True, env=env, timeout=120, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return set(), f"cannot run cardscan: {exc}"
    if proc.returncode != 0:
        return set(), "cardscan scan --help failed: " + (proc.stderr or proc.stdout).strip()[-300:]
    options = {tok.split("=")[0].rstrip(",") for tok in proc.stdout.split() if tok.startswith("--")}
    missing = {"--out", "--json"} - options
    if missing:
        return options, f"cardscan scan lacks {', '.join(sorted(missing))} (not complete yet)"
    return options, ""


def run_scan(files: list[Path], book: Path, jobs: int, options: set[str], env: dict[str, str],
             rescan: bool, timeout: float) -> ScanRun:
    cmd = [*cardscan_command(), "scan", *map(str, files), "--out", str(book), "--json"]
    if "--jobs" in options:
        cmd += ["--jobs", str(jobs)]
    if rescan and "--rescan" in options:
        cmd.append("--rescan")
    if "--quiet" in options:
        cmd.append("--quiet")
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT,
                                start_new_session=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        seconds = time.perf_counter() - started
        sampler.stop()
        out.seek(0)
        err.seek(0)
        lines = []
        for raw in out:
            raw = raw.strip()
            if raw.startswith("{"):
                try:
                    lines.append(json.loads(raw))
                except json.JSONDecodeError:
                    continue
        stderr_text = err.read()
    return ScanRun(seconds, proc.returncode, lines, stderr_text.strip()[-600:],
                   sampler.summary(), timed_out)


# ---------------------------------------------------------------- plain tesseract


def plain_tesseract(files: list[Path], jobs: int, lang: str) -> tuple[float, dict[str, str]]:
    """Seconds for `tesseract IMAGE - -l LANG` over every file with `jobs` workers, and the text."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def one(path: Path) -> tuple[str, str]:
        proc = subprocess.run(["tesseract", str(path), "-", "-l", lang], capture_output=True,
                              text=True, env=env, timeout=300)
        return path.name, proc.stdout

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        texts = dict(pool.map(one, files))
    return time.perf_counter() - started, texts


# ---------------------------------------------------------------- scoring


def write_details(name: str, rows: list[dict[str, Any]]) -> None:
    """Per-photo misses for debugging, beside the cached sets (not committed)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"details-{name}.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def score_photos(name: str, truths: dict[str, dict[str, Any]], run: ScanRun) -> dict[str, Any]:
    """Score every photo (file name -> truth record) against the scan's JSON lines."""
    result = scoring.SetScore()
    grouped = run.by_source()
    rows = []
    for file_name, truth in truths.items():
        lines = grouped.get(file_name, [])
        preds = [p for p in lines if p.get("status") != "skipped"]
        for card in result.add_photo(truth, preds):
            pred = preds[card["pred"]] if card["pred"] is not None else {}
            rows.append({"file": file_name, **card, "status": pred.get("status"),
                         "error": pred.get("error"), "ocr_text": pred.get("ocr_text")})
    write_details(name, rows)
    summary = result.summary()
    summary["photos"] = len(truths)
    summary["photos_without_output"] = sum(1 for n in truths if n not in grouped)
    summary["statuses"] = run.status_counts()
    return summary


def score_generated(name: str, files: list[Path], run: ScanRun) -> dict[str, Any]:
    return score_photos(name, {path.name: truth_for(path) for path in files}, run)


def score_baseline_text(files: list[Path], texts: dict[str, str]) -> float | None:
    """Character accuracy of plain whole-photo Tesseract (the naive scanner's OCR)."""
    errors = total = 0
    for path in files:
        truths = scoring.truths_of(truth_for(path))
        truth_text = "\n".join(t.get("text", "") for t in truths)
        e, t = scoring.char_errors(truth_text, texts.get(path.name, ""))
        errors += e
        total += t
    return 1 - errors / total if total else None


def real_truths() -> dict[str, dict[str, Any]]:
    records = {}
    for line in (REALCARDS / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            records[record["file"]] = record
    return records


def stage_timers(run: ScanRun) -> dict[str, float] | None:
    """Mean seconds per photo of each stage (and OCR calls a photo), when the scan's --json
    lines carry `timers` (the photo's figures, repeated on each of its cards: counted once)."""
    sums: dict[str, float] = {}
    photos = 0
    seen: set[str] = set()
    for line in run.lines:
        timers = line.get("timers")
        key = str(line.get("path") or line.get("source"))
        if isinstance(timers, dict) and key not in seen:
            seen.add(key)
            photos += 1
            for stage, seconds in timers.items():
                if isinstance(seconds, int | float):
                    sums[stage] = sums.get(stage, 0.0) + float(seconds)
    return {k: round(v / photos, 4) for k, v in sums.items()} if photos else None


def phone_speed(count: int, seed: int, jobs: int, options: set[str], env: dict[str, str],
                work: Path, timeout: float, lang: str) -> dict[str, Any]:
    """The "phone12" class photos (12 MP, as phones take them) scanned alone and read by plain
    tesseract, with the same workers: the speed issue's measure on full-size phone photos."""
    files = images_in(class_sets(count, seed, jobs)["phone12"] / "photo")
    log(f"scan {len(files)} 12 MP phone photos --jobs {jobs} ...")
    run = run_scan(files, work / "book-phone12", jobs, options, env, True, timeout)
    log(f"plain tesseract over {len(files)} 12 MP phone photos with {jobs} workers ...")
    seconds, _texts = plain_tesseract(files, jobs, lang)
    return {"set": "phone12", "jobs": jobs, "seconds": round(run.seconds, 2),
            "photos_per_s": round(len(files) / run.seconds, 3), "returncode": run.returncode,
            "timed_out": run.timed_out, "memory": run.memory, "statuses": run.status_counts(),
            "tesseract_seconds": round(seconds, 2), "ratio": round(run.seconds / seconds, 3),
            "stages": stage_timers(run)}


# ---------------------------------------------------------------- QR decoders


def _qr_decoders() -> dict[str, Any]:
    """name -> function(grey image) -> payloads, for every decoder importable here."""
    import cv2

    decoders: dict[str, Any] = {}
    # errors only: OpenCV warns "ECI is not supported" on every UTF-8 code
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    detector = cv2.QRCodeDetector()

    def opencv(grey: Any) -> list[str]:
        ok, texts, _points, _ = detector.detectAndDecodeMulti(grey)
        return [t for t in texts if t] if ok else []

    decoders["opencv QRCodeDetector"] = opencv
    try:
        import zxingcpp

        decoders["zxing-cpp"] = lambda grey: [b.text for b in zxingcpp.read_barcodes(
            grey, formats=zxingcpp.BarcodeFormat.QRCode) if b.text]
    except ImportError:
        pass
    try:
        from pyzbar import pyzbar

        decoders["pyzbar (zbar)"] = lambda grey: [d.data.decode("utf-8", "replace") for d in
                                                  pyzbar.decode(grey, symbols=[pyzbar.ZBarSymbol.QRCODE])]
    except (ImportError, OSError):
        pass
    try:
        from cardscan.qr import decode_qr

        decoders["cardscan.qr.decode_qr"] = decode_qr
    except ImportError:
        pass
    return decoders


def measure_qr_decoders(groups: dict[str, list[tuple[Path, str | None]]]) -> dict[str, Any]:
    """Per group of images (path, expected payload or None), per decoder: codes decoded (right
    payload when one is expected, any code otherwise) and ms per image. Every decoder gets the
    same grey image, at most 2048 px long (a 12 MP photo at half size), as decode_qr starts."""
    import cv2

    decoders = _qr_decoders()
    out: dict[str, Any] = {}
    for group, items in groups.items():
        images = []
        for path, expected in items:
            grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            if grey is None:
                continue
            factor = min(1.0, 2048 / max(grey.shape[:2]))
            if factor < 1:
                grey = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
            images.append((grey, expected))
        rows = {}
        for name, decode in decoders.items():
            decoded, started = 0, time.perf_counter()
            for grey, expected in images:
                texts = decode(grey)
                decoded += (expected in texts) if expected is not None else bool(texts)
            ms = 1000 * (time.perf_counter() - started) / max(1, len(images))
            rows[name] = {"decoded": decoded, "ms_per_image": round(ms, 1)}
        out[group] = {"images": len(images),
                      "with_qr": sum(1 for _, e in images if e is not None), "decoders": rows}
    return out


# ---------------------------------------------------------------- real-card classes


def class_sets(count: int, seed: int, jobs: int) -> dict[str, Path]:
    """One cached set per class of samples/generate.py CLASSES."""
    return {name: ensure_set(count, seed, jobs, (name,)) for name in load_generator().CLASSES}


def score_classes(count: int, seed: int, jobs: int, options: set[str], env: dict[str, str],
                  work: Path, timeout: float) -> dict[str, dict[str, Any]]:
    """class -> {"flat": summary, "photo": summary}: one scan per kind over every class set
    (file names start with the class, so one run serves them all)."""
    folders = class_sets(count, seed, jobs)
    scores: dict[str, dict[str, Any]] = {name: {} for name in folders}
    for kind in ("flat", "photo"):
        files = {name: images_in(folder / kind) for name, folder in folders.items()}
        every = [f for group in files.values() for f in group]
        log(f"scan the class sets: {kind} x{len(every)} --jobs {jobs} ...")
        run = run_scan(every, work / f"book-classes-{kind}", jobs, options, env, True, timeout)
        log(f"  {run.seconds:.1f} s, exit {run.returncode}, {len(run.lines)} lines")
        for name, group in files.items():
            scores[name][kind] = score_generated(f"class-{name}-{kind}", group, run)
    return scores


def qr_groups(count: int, seed: int, jobs: int, no_classes: bool, no_real: bool
              ) -> dict[str, list[tuple[Path, str | None]]]:
    """The images the QR decoders are measured on: the real cards (any code counts) and the
    generated QR class cards, flat and photo (the exact payload counts)."""
    groups: dict[str, list[tuple[Path, str | None]]] = {}
    if not no_real and (REALCARDS / "truth.jsonl").is_file():
        groups["real"] = [(REALCARDS / n, None) for n in real_truths() if (REALCARDS / n).is_file()]
    if not no_classes:
        folders = class_sets(count, seed, jobs)
        for kind in ("flat", "photo"):
            groups[f"QR cards {kind}"] = [
                (path, truth_for(path)["qr"]["payload"]) for name in ("qr_url", "qr_vcard")
                for path in images_in(folders[name] / kind)]
    return groups


# ---------------------------------------------------------------- report


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def fmt(value: Any, pct: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{100 * value:.1f}%" if pct else f"{value:.3f}"
    return str(value)


def print_report(results: dict[str, Any]) -> None:
    sets = results.get("sets", {})
    print()
    print(f"cardscan bench  ({results['count']} cards, seed {results['seed']}, "
          f"{results['machine']['cpus']} CPUs, tesseract {results['machine']['tesseract']})")
    if results.get("problem"):
        print(f"  !! {results['problem']}")
    print()
    header = f"{'set':<8}{'photos':>7}{'cards':>7}{'micro-F1':>10}{'prec':>8}{'recall':>8}" \
             f"{'perfect':>9}{'char-acc':>10}{'phone#':>8}{'in-OCR':>8}"
    print(header)
    print("-" * len(header))
    for name in SET_ORDER:
        s = sets.get(name)
        if not s:
            continue
        print(f"{name:<8}{s['photos']:>7}{s['cards']:>7}{fmt(s['micro_f1']):>10}"
              f"{fmt(s['micro_precision']):>8}{fmt(s['micro_recall']):>8}"
              f"{fmt(s['perfect_cards'], True):>9}{fmt(s['char_accuracy'], True):>10}"
              f"{fmt(s['phone_numbers_recall']):>8}{fmt(s.get('present_in_ocr'), True):>8}")
    print("(in-OCR: share of the printed values found anywhere in the text cardscan read)")
    baseline = results.get("baseline", {}).get("char_accuracy")
    if baseline is not None:
        print(f"{'(plain tesseract on the whole photo: char-acc ' + fmt(baseline, True) + ')'}")
    if sets:
        print()
        names = [n for n in SET_ORDER if n in sets]
        print(f"{'field':<16}" + "".join(f"{n + ' P/R':>16}" for n in names))
        for fld in scoring.FIELDS:
            row = f"{fld:<16}"
            for n in names:
                c = sets[n]["fields"][fld]
                if c["tp"] + c["fn"] + c["fp"] == 0:
                    row += f"{'-':>16}"
                else:
                    row += f"{c['precision']:>8.3f}/{c['recall']:.3f}".rjust(16)
            print(row)
    classes = results.get("classes", {})
    if classes:
        print()
        head = f"{'class':<14}{'cards':>6}{'flat F1':>9}{'photo F1':>10}{'flat in-OCR':>13}" \
               f"{'photo in-OCR':>14}"
        print(head)
        print("-" * len(head))
        for name, kinds in classes.items():
            flat, photo = kinds.get("flat", {}), kinds.get("photo", {})
            print(f"{name:<14}{fmt(flat.get('cards')):>6}{fmt(flat.get('micro_f1')):>9}"
                  f"{fmt(photo.get('micro_f1')):>10}{fmt(flat.get('present_in_ocr'), True):>13}"
                  f"{fmt(photo.get('present_in_ocr'), True):>14}")
    speed = results.get("speed", {})
    if speed.get("runs"):
        print()
        print(f"{'run':<14}{'seconds':>9}{'photos/s':>10}{'tess s':>9}{'ratio':>7}"
              f"{'main MB':>9}{'worker MB':>10}{'tess MB':>8}{'tree MB':>8}  exit")
        for run in speed["runs"]:
            mem = run.get("memory", {})
            print(f"{run['set'] + ' -j' + str(run['jobs']):<14}{run['seconds']:>9.1f}"
                  f"{run['photos_per_s']:>10.2f}{fmt(run.get('tesseract_seconds')):>9}"
                  f"{fmt(run.get('ratio')):>7}{fmt(mem.get('main_mb')):>9}"
                  f"{fmt(mem.get('worker_peak_mb')):>10}{fmt(mem.get('tesseract_peak_mb')):>8}"
                  f"{fmt(mem.get('tree_peak_mb')):>8}  {run['returncode']}")
        if speed.get("scaling") is not None:
            print(f"scaling 1 -> {speed['max_jobs']} jobs (photos): {speed['scaling']:.2f}x")
        phone = [run.get("stages") for run in speed["runs"] if run.get("set") == "phone12"]
        for key, what in (("photo_stages", "generated photo"), ("real_stages", "real photo"),
                          ("phone_stages", "12 MP phone photo")):
            stages = speed.get(key) if key != "phone_stages" else (phone[0] if phone else None)
            if stages:
                print(f"per-stage seconds a {what}: "
                      + ", ".join(f"{k} {v:.2f}" if k == "ocr_calls" else f"{k} {v:.3f}"
                                  for k, v in stages.items()))
            elif key in speed:
                print(f"per-stage times ({what}s): the scan's --json output carries no `timers`")
    resume = results.get("resume")
    if resume:
        print(f"resume of a finished batch: {resume['seconds']:.2f} s = "
              f"{fmt(resume['share'], True)} of the scan (exit {resume['returncode']})")
    qr = results.get("qr_decoders")
    if qr:
        print()
        groups = list(qr)
        print(f"{'QR decoder':<24}" + "".join(
            f"{g + ' (' + str(qr[g]['with_qr'] or qr[g]['images']) + ')':>26}" for g in groups))
        for name in qr[groups[0]]["decoders"]:
            row = f"{name:<24}"
            for g in groups:
                d = qr[g]["decoders"][name]
                row += f"{str(d['decoded']) + ' decoded, ' + str(d['ms_per_image']) + ' ms':>26}"
            print(row)
    if results.get("targets"):
        print()
        for name, ok in results["targets"].items():
            print(f"  [{'ok' if ok else '--' if ok is None else 'MISS'}] {name}")
    for name in SET_ORDER:
        s = sets.get(name)
        if s and s.get("top_misses"):
            print(f"\ntop misses ({name}):")
            for miss in s["top_misses"][:8]:
                example = miss["examples"][0] if miss["examples"] else ""
                print(f"  {miss['count']:>4}  {miss['what']:<24} e.g. {example[:90]}")


# ---------------------------------------------------------------- main


def tesseract_version() -> str:
    try:
        out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True,
                             timeout=30)
        return (out.stdout or out.stderr).split("\n", 1)[0].replace("tesseract ", "")
    except (OSError, subprocess.TimeoutExpired):
        return "missing"


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, cwd=ROOT, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark cardscan scan (accuracy and speed).")
    parser.add_argument("--count", type=int, default=200, help="generated cards (default 200)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument("--jobs", default="1,2", help="worker counts to time (default 1,2)")
    parser.add_argument("--quick", action="store_true", help="30 cards, for development")
    parser.add_argument("--lang", default="spa+eng", help="OCR languages (default spa+eng)")
    parser.add_argument("--no-real", action="store_true", help="skip ../shared/realcards")
    parser.add_argument("--no-baseline", action="store_true", help="skip plain tesseract timing")
    parser.add_argument("--class-count", type=int, default=None,
                        help="cards per real-card class set (default: count / 8, at least 10)")
    parser.add_argument("--no-classes", action="store_true", help="skip the real-card class sets")
    args = parser.parse_args(argv)
    count = 30 if args.quick else args.count
    class_count = args.class_count or max(10, count // 8)
    job_counts = sorted({max(1, int(j)) for j in args.jobs.split(",") if j.strip()})
    max_jobs = job_counts[-1]

    results: dict[str, Any] = {
        "count": count, "seed": args.seed, "jobs": job_counts, "lang": args.lang,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"), "commit": git_commit(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "tesseract": tesseract_version()},
        "sets": {}, "speed": {"runs": [], "max_jobs": max_jobs},
    }
    folder = ensure_set(count, args.seed, max_jobs)
    files = {kind: images_in(folder / kind) for kind in ("flat", "photo")}
    work = Path(tempfile.mkdtemp(prefix="cardscan-bench-"))
    env = scan_env(work)
    options, problem = probe_scan(env)
    results["problem"] = problem or None
    timeout = max(600.0, 20.0 * count)
    runs: dict[tuple[str, int], ScanRun] = {}
    try:
        if not problem:
            for kind in ("photo", "flat"):
                for jobs in job_counts:
                    book = work / f"book-{kind}-{jobs}"
                    log(f"scan {kind} x{len(files[kind])} --jobs {jobs} ...")
                    run = run_scan(files[kind], book, jobs, options, env, True, timeout)
                    runs[kind, jobs] = run
                    log(f"  {run.seconds:.1f} s, exit {run.returncode}, {len(run.lines)} lines")
                    if not run.lines:
                        results["problem"] = (f"scan printed no JSON (exit {run.returncode}"
                                              f"{', timed out' if run.timed_out else ''}): "
                                              f"{run.stderr_tail[-300:]}")
                    results["speed"]["runs"].append({
                        "set": kind, "jobs": jobs, "seconds": round(run.seconds, 2),
                        "photos_per_s": round(len(files[kind]) / run.seconds, 3),
                        "returncode": run.returncode, "timed_out": run.timed_out,
                        "memory": run.memory, "statuses": run.status_counts(),
                        "stderr_tail": run.stderr_tail[-300:] if run.returncode else "",
                    })
                # Accuracy from the run with the most workers (the default way to run it).
                results["sets"][kind] = score_generated(kind, files[kind], runs[kind, max_jobs])
            results["speed"]["photo_stages"] = stage_timers(runs["photo", max_jobs])
            # Resume: the same command again on the finished photo book, without --rescan.
            book = work / f"book-photo-{max_jobs}"
            log("resume of the finished photo batch ...")
            again = run_scan(files["photo"], book, max_jobs, options, env, False, timeout)
            scan_seconds = runs["photo", max_jobs].seconds
            results["resume"] = {"seconds": round(again.seconds, 3),
                                 "share": round(again.seconds / scan_seconds, 4),
                                 "returncode": again.returncode,
                                 "statuses": again.status_counts()}
        if not args.no_baseline:
            tess_runs = {}
            for jobs in job_counts:
                log(f"plain tesseract over {len(files['photo'])} photos with {jobs} workers ...")
                seconds, texts = plain_tesseract(files["photo"], jobs, args.lang)
                tess_runs[jobs] = seconds
                log(f"  {seconds:.1f} s")
                for run in results["speed"]["runs"]:
                    if run["set"] == "photo" and run["jobs"] == jobs:
                        run["tesseract_seconds"] = round(seconds, 2)
                        run["ratio"] = round(run["seconds"] / seconds, 3)
            results["baseline"] = {"seconds": {str(j): round(s, 2) for j, s in tess_runs.items()},
                                   "char_accuracy": score_baseline_text(files["photo"], texts)}
            ratios = [r["ratio"] for r in results["speed"]["runs"] if r.get("ratio")]
            results["speed"]["max_ratio"] = max(ratios) if ratios else None
        if ("photo", 1) in runs and ("photo", max_jobs) in runs and max_jobs > 1:
            results["speed"]["scaling"] = round(runs["photo", 1].seconds
                                                / runs["photo", max_jobs].seconds, 3)
        if not problem and not args.no_real and (REALCARDS / "truth.jsonl").is_file():
            truths = real_truths()
            real_files = [REALCARDS / name for name in truths if (REALCARDS / name).is_file()]
            log(f"scan {len(real_files)} real card photos ...")
            run = run_scan(real_files, work / "book-real", max_jobs, options, env, True, timeout)
            results["sets"]["real"] = score_photos("real", truths, run)
            real_run: dict[str, Any] = {
                "set": "real", "jobs": max_jobs, "seconds": round(run.seconds, 2),
                "photos_per_s": round(len(real_files) / run.seconds, 3),
                "returncode": run.returncode, "timed_out": run.timed_out, "memory": run.memory,
                "statuses": run.status_counts()}
            if not args.no_baseline:
                log(f"plain tesseract over {len(real_files)} real photos with {max_jobs} workers ...")
                seconds, _texts = plain_tesseract(real_files, max_jobs, args.lang)
                real_run.update(tesseract_seconds=round(seconds, 2),
                                ratio=round(run.seconds / seconds, 3))
            results["speed"]["runs"].append(real_run)
            results["speed"]["real_stages"] = stage_timers(run)
        if not problem and not args.no_classes:
            results["classes"] = score_classes(class_count, args.seed, max_jobs, options, env,
                                               work, timeout)
            if not args.no_baseline:
                results["speed"]["runs"].append(phone_speed(class_count, args.seed, max_jobs,
                                                            options, env, work, timeout, args.lang))
        results["qr_decoders"] = measure_qr_decoders(qr_groups(class_count, args.seed, max_jobs,
                                                               args.no_classes, args.no_real))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["targets"] = {name: check(results) for name, check in TARGETS.items()}
    # other runs (--quick, another count or seed) go beside the cached sets, not over the
    # committed figures
    default = (count, args.seed, job_counts) == (200, 7, [1, 2]) and not args.no_real \
        and not args.no_classes and args.class_count is None
    target = RESULTS if default else CACHE / "results-last.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print_report(results)
    print(f"\nresults written to {target.relative_to(ROOT)}")
    return 1 if results.get("problem") else 0


if __name__ == "__main__":
    sys.exit(main())
