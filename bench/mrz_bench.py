"""MRZ benchmark: the project's reader against stock PassportEye, on synthetic phone photos and the
public samples, in one run. `make bench-mrz` (BENCH_N=40 for a quick run).

Stock PassportEye (stock Tesseract "eng" model, through pytesseract) writes its crops to temporary
files: it only ever sees the public samples and the synthetic documents here. It reads no PDF, so
for the synthetic PDF cases it gets the same picture as a JPEG. Speed is compared on the 3000x2250
synthetic photos, both single-threaded (OMP_THREAD_LIMIT=1).

Environment: BENCH_N (synthetic documents, default 200), BENCH_SEED (default 2026), BENCH_PE=0 to
skip PassportEye, BENCH_SAMPLES=0 to skip the public samples, BENCH_VERBOSE=1 to list every document, BENCH_HAZARDS (documents per hazard,
default 20; 0 skips them): the same documents under a hard shadow edge across the MRZ, a glare
streak over one line, under-exposure, turned 180 degrees, stored mirrored with an EXIF
orientation (2, 4, 5, 7), degraded four ways at once, over security printing (guilloche), and
shrunk to a few hundred pixels (small), each reported on its own line. BENCH_BASELINE=<git revision> (HEAD, say)
adds that revision's reader as "before", in a child process, image by image between the others, so
that a change is measured against the old code in the same minutes of a shared machine.
"""

import os

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # single-threaded, for both readers

import importlib
import io
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bench.samples import SAMPLES, compare
from bench.synth import HAZARDS, TODAY, make_case
from uploads.mrz import checks, read_mrz

COMMON = ("type", "document_code", "country", "number", "nationality", "date_of_birth", "sex",
          "expiry_date", "surname", "given_names")  # fmt: skip


@dataclass
class Tally:
    documents: int = 0
    right: int = 0
    fields: int = 0
    fields_right: int = 0
    valid: int = 0
    valid_wrong: int = 0
    seconds: list[float] = field(default_factory=list)
    speed_seconds: list[float] = field(default_factory=list)  # 3000x2250 photos only
    failures: list[str] = field(default_factory=list)
    # Documents whose names were read right, and of those the ones reported not valid ("not
    # sure"), for PN (internal passports) and the other types.
    names_right: dict[str, int] = field(default_factory=lambda: {"PN": 0, "other": 0})
    names_flagged: dict[str, int] = field(default_factory=lambda: {"PN": 0, "other": 0})

    def add(
        self,
        name: str,
        wrong: list[str],
        compared: int,
        valid: bool,
        seconds: float,
        *,
        speed: bool,
    ) -> None:
        self.documents += 1
        self.right += not wrong
        self.fields += compared
        self.fields_right += (
            compared - len([key for key in wrong if key != "all"]) if "all" not in wrong else 0
        )
        self.valid += valid
        self.valid_wrong += bool(valid and wrong)
        self.seconds.append(seconds)
        if speed:
            self.speed_seconds.append(seconds)
        if wrong:
            self.failures.append(f"{name}{' (VALID)' if valid else ''}: {','.join(wrong)}")

    def add_names(self, kind: str, wrong: list[str], valid: bool) -> None:
        if any(key in wrong for key in ("all", "surname", "given_names")):
            return
        group = "PN" if kind == "PN" else "other"
        self.names_right[group] += 1
        self.names_flagged[group] += not valid


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def ours(data: bytes, truth: dict, today: date) -> tuple[list[str], int, bool, float]:
    started = time.perf_counter()
    result = read_mrz(data, today=today)
    seconds = time.perf_counter() - started
    if not result.found:
        return ["all"], len(truth), False, seconds
    return compare(truth, result.fields, result.type), len(truth), result.valid, seconds


class Baseline:
    """Another revision's ``uploads.mrz`` (``git archive`` into a temporary directory) reading in
    a child process; its time is measured there, around ``read_mrz`` alone."""

    WORKER = (
        "import os, pickle, sys, time\n"
        "os.environ.setdefault('OMP_THREAD_LIMIT', '1')\n"
        "from uploads.mrz import read_mrz\n"
        "read_mrz(b'')\n"
        "import passporteye.mrz.image\n"
        "while True:\n"
        "    size = sys.stdin.buffer.read(8)\n"
        "    if len(size) < 8: break\n"
        "    data, today = pickle.loads(sys.stdin.buffer.read(int.from_bytes(size, 'big')))\n"
        "    started = time.perf_counter()\n"
        "    result = read_mrz(data, today=today)\n"
        "    seconds = time.perf_counter() - started\n"
        "    answer = pickle.dumps((result.found, result.valid, result.type, result.fields, seconds))\n"
        "    sys.stdout.buffer.write(len(answer).to_bytes(8, 'big') + answer)\n"
        "    sys.stdout.buffer.flush()\n"
    )

    def __init__(self, revision: str) -> None:
        import subprocess
        import tempfile

        root = Path(__file__).resolve().parents[1]
        self.directory = tempfile.TemporaryDirectory(prefix="mrz-baseline-")
        archive = subprocess.run(  # noqa: S603 - fixed arguments
            ["git", "archive", revision, "uploads/__init__.py", "uploads/mrz"],  # noqa: S607
            cwd=root, capture_output=True, check=True,
        ).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", self.directory.name], input=archive, check=True)  # noqa: S603, S607
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", self.WORKER],
            cwd=self.directory.name,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": self.directory.name},
        )

    def __call__(self, data: bytes, truth: dict, today: date) -> tuple[list[str], int, bool, float]:
        import pickle

        request = pickle.dumps((data, today))
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(len(request).to_bytes(8, "big") + request)
        self.process.stdin.flush()
        size = int.from_bytes(self.process.stdout.read(8), "big")
        found, valid, kind, fields, seconds = pickle.loads(self.process.stdout.read(size))  # noqa: S301 - our own child
        if not found:
            return ["all"], len(truth), False, seconds
        return compare(truth, fields, kind), len(truth), valid, seconds

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)
        self.directory.cleanup()


def passporteye(data: bytes, truth: dict, today: date) -> tuple[list[str], int, bool, float]:
    import passporteye as pe

    truth = {key: value for key, value in truth.items() if key in COMMON}
    if truth.get("type") == "PN":  # PassportEye knows no PN: judge it as the TD3 it looks like
        truth = {**truth, "type": "TD3", "number": truth["number"][:3] + truth["number"][4:]}
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            mrz = pe.read_mrz(io.BytesIO(data))
        except Exception:
            mrz = None
    seconds = time.perf_counter() - started
    if mrz is None:
        return ["all"], len(truth), False, seconds
    data_ = mrz.to_dict()

    def clean(value: object) -> str:
        return " ".join(str(value or "").replace("<", " ").split())

    fields = {
        "document_code": str(data_.get("type", "")).replace("<", ""),
        "country": str(data_.get("country", "")).replace("<", ""),
        "number": str(data_.get("number", "")).replace("<", ""),
        "nationality": str(data_.get("nationality", "")).replace("<", ""),
        "date_of_birth": checks.past_date(str(data_.get("date_of_birth", "")), today=today),
        "expiry_date": checks.expiry_date(str(data_.get("expiration_date", "")), today=today),
        "sex": {"M": "M", "F": "F"}.get(str(data_.get("sex", "")), "X"),
        "surname": clean(data_.get("surname")),
        "given_names": clean(data_.get("names")),
    }
    return (
        compare(truth, fields, str(data_.get("mrz_type") or "")),
        len(truth),
        bool(mrz.valid),
        seconds,
    )


def run() -> int:
    count = int(os.environ.get("BENCH_N", "200"))
    seed = int(os.environ.get("BENCH_SEED", "2026"))
    with_pe = os.environ.get("BENCH_PE", "1") != "0"
    verbose = os.environ.get("BENCH_VERBOSE") == "1"
    tallies: dict[tuple[str, str], Tally] = {}
    readers: list = [("ours", ours)]
    baseline = Baseline(os.environ["BENCH_BASELINE"]) if os.environ.get("BENCH_BASELINE") else None
    if baseline is not None:
        readers.append(("before", baseline))
    if with_pe:
        readers.append(("passporteye", passporteye))

    # Imported once (scikit-image, seconds), as a long-lived worker would have it.
    importlib.import_module("passporteye.mrz.image")

    print(f"Synthetic set: {count} documents, seed {seed} (rendered in memory)", flush=True)
    generated = 0.0
    for index in range(count):
        started = time.perf_counter()
        case = make_case(index, seed)
        generated += time.perf_counter() - started
        speed = case.conditions["size"] == (3000, 2250) and not case.conditions["pdf"]
        for reader_name, reader in readers:
            data = case.image_data if reader_name == "passporteye" else case.data
            wrong, compared, valid, seconds = reader(data, case.truth, TODAY)
            tally = tallies.setdefault(("synthetic", reader_name), Tally())
            tally.add(case.name, wrong, compared, valid, seconds, speed=speed)
            tally.add_names(case.kind, wrong, valid)
            if verbose:
                print(
                    f"  {reader_name:11} {case.name:28} {seconds:6.2f}s valid={valid!s:5} wrong={wrong}"
                )
        if (index + 1) % 20 == 0:
            print(f"  {index + 1}/{count} done", flush=True)
    print(f"  (generating took {generated:.0f} s, not counted)")

    hazard_count = int(os.environ.get("BENCH_HAZARDS", "20"))
    if hazard_count:
        print(f"Hazards: {hazard_count} documents each ({', '.join(HAZARDS)})", flush=True)
    for hazard in HAZARDS if hazard_count else ():
        for index in range(hazard_count):
            # Every third document of the main set, so that each hazard meets every format.
            case = make_case(index * 3 + 1, seed, hazard)
            for reader_name, reader in readers:
                data = case.image_data if reader_name == "passporteye" else case.data
                wrong, compared, valid, seconds = reader(data, case.truth, TODAY)
                tally = tallies.setdefault((hazard, reader_name), Tally())
                tally.add(case.name, wrong, compared, valid, seconds, speed=False)
                if verbose:
                    print(
                        f"  {reader_name:11} {case.name:38} {seconds:6.2f}s valid={valid!s:5} wrong={wrong}"
                    )
        print(f"  {hazard} done", flush=True)

    if os.environ.get("BENCH_SAMPLES") == "0":
        print("Public samples: skipped (BENCH_SAMPLES=0)")
    elif (SAMPLES / "truth.json").exists():
        import json

        truth = json.loads((SAMPLES / "truth.json").read_text())
        print(f"Public samples: {len(truth)} documents from {SAMPLES}", flush=True)
        for name, entry in truth.items():
            data = (SAMPLES / name).read_bytes()
            for reader_name, reader in readers:
                wrong, compared, valid, seconds = reader(data, entry["fields"], date.today())
                tally = tallies.setdefault(("samples", reader_name), Tally())
                tally.add(name, wrong, compared, valid, seconds, speed=False)
                if verbose:
                    print(
                        f"  {reader_name:11} {name:28} {seconds:6.2f}s valid={valid!s:5} wrong={wrong}"
                    )
    else:
        print(f"Public samples: skipped ({SAMPLES} is not present)")

    print()
    header = f"{'set':10} {'reader':12} {'docs':>5} {'all right':>10} {'fields':>8} {'valid':>6} {'valid+wrong':>12} {'median s':>9} {'p95 s':>7}"
    print(header)
    print("-" * len(header))
    for (set_name, reader_name), tally in tallies.items():
        share = 100 * tally.right / max(tally.documents, 1)
        fields = 100 * tally.fields_right / max(tally.fields, 1)
        print(
            f"{set_name:10} {reader_name:12} {tally.documents:5d} {tally.right:4d} {share:4.1f}% {fields:7.1f}% "
            f"{tally.valid:6d} {tally.valid_wrong:12d} {statistics.median(tally.seconds):9.3f} "
            f"{_percentile(tally.seconds, 0.95):7.3f}"
        )
    ours_speed = tallies.get(("synthetic", "ours"), Tally()).speed_seconds
    if ours_speed:
        print()
        print(
            f"3000x2250 photos ({len(ours_speed)}), ours: median {statistics.median(ours_speed):.3f} s, "
            f"p95 {_percentile(ours_speed, 0.95):.3f} s"
        )
        before_speed = tallies.get(("synthetic", "before"), Tally()).speed_seconds
        if before_speed:
            print(
                f"3000x2250 photos, before ({os.environ['BENCH_BASELINE']}): median "
                f"{statistics.median(before_speed):.3f} s, p95 {_percentile(before_speed, 0.95):.3f} s; "
                f"ours / before: median {statistics.median(ours_speed) / statistics.median(before_speed):.2f}, "
                f"p95 {_percentile(ours_speed, 0.95) / _percentile(before_speed, 0.95):.2f}, "
                f"total {sum(ours_speed) / sum(before_speed):.2f}"
            )
        pe_speed = tallies.get(("synthetic", "passporteye"), Tally()).speed_seconds
        if pe_speed:
            print(
                f"3000x2250 photos, PassportEye: median {statistics.median(pe_speed):.3f} s, "
                f"p95 {_percentile(pe_speed, 0.95):.3f} s; speed ratio (median) "
                f"{statistics.median(pe_speed) / statistics.median(ours_speed):.1f}x, "
                f"(total) {sum(pe_speed) / sum(ours_speed):.1f}x"
            )
    for reader_name in ("ours", "before"):
        synthetic = tallies.get(("synthetic", reader_name))
        if synthetic is None:
            continue
        print()
        for group in ("PN", "other"):
            right, flagged = synthetic.names_right[group], synthetic.names_flagged[group]
            print(
                f"{reader_name:6} names read right, {group:5}: {right:4d}, reported not sure "
                f"{flagged:3d} ({100 * flagged / max(right, 1):.1f}%)"
            )
    if baseline is not None:
        baseline.close()
    for (set_name, reader_name), tally in tallies.items():
        if reader_name == "ours" and tally.failures:
            print(f"\nours, {set_name}, not all right:")
            for failure in tally.failures:
                print(f"  {failure}")
    return 0


if __name__ == "__main__":
    sys.exit(run())
