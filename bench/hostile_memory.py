"""Memory and time of checking hostile uploads (make bench-hostile).

Each file of the hostile corpus (tests/web/test_hostile_uploads.py), the files built to burn a
decoder (tests/core/hostile_files.py: the issue #20 PDFs of ~1 KB, ~5 KB and ~500 KB that repeat
``0 0 m 595 842 l S``, and the 7000x7000 RGBA PNG, palette PNG and RGBA HEIC, the HEIC a real one)
and an ordinary 24-megapixel phone photo, the baseline, go through
``uploads.core.images.normalise_upload`` in a fresh process. The table shows the outcome, the web
process's peak memory above its baseline, the decoder child's peak (its whole resident memory,
interpreter included), the wall-clock time and the CPU time (web process and child); each row is
checked against the budget (CPU time under 5 s, the decoder under PASSPORT_DECODE_MEMORY_MB; the
wall clock is printed, but on a shared machine it measures the neighbours too). The last lines give the
cost of the child process itself: the ordinary photo decoded in the web process and in a child.
"""

import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
TIME_BUDGET_S = 5.0

MEASURE = """
import json, os, resource, sys, time
import django
django.setup()
from django.conf import settings
from uploads.core import decoding, images

def status_kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])

def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime

data = open(sys.argv[1], "rb").read()
in_process = sys.argv[2] == "in-process"
# The decoder child writes its own peak (VmHWM) when it ends: its rusage would count the web
# process's memory too (the child is forked before it runs a fresh interpreter).
from uploads.core import decoder_process
peak_path = sys.argv[1] + ".child-peak"
if os.path.exists(peak_path):
    os.remove(peak_path)
decoder_process._CHILD_PROGRAM = decoder_process._CHILD_PROGRAM.replace(
    "child_main()",
    "child_main(); open(%r, 'w').write([line.split()[1] for line in open('/proc/self/status') "
    "if line.startswith('VmHWM:')][0])" % peak_path,
)
# Reset the peak (Linux): the high-water mark then counts from here, not from the imports.
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
baseline = status_kb("VmRSS")
cpu_before, own_before = children_cpu(), time.process_time()
started = time.perf_counter()
try:
    if in_process:
        decoding.normalise(data, images.decode_limits())
    else:
        images.normalise_upload(data)
    outcome = "cleaned"
except images.RejectedFile as rejected:
    outcome = "refused: " + rejected.code
except decoding.DecodeRefused as refused:
    outcome = "refused: " + refused.code
elapsed = time.perf_counter() - started
try:
    child_kb = int(open(peak_path).read())
except FileNotFoundError:  # no child (refused from the first bytes) or killed at a limit
    child_kb = 0
print(json.dumps({
    "outcome": outcome,
    "extra_kb": status_kb("VmHWM") - baseline,
    "child_kb": child_kb,
    "ms": elapsed * 1000,
    "cpu_ms": (children_cpu() - cpu_before + time.process_time() - own_before) * 1000,
    "budget_mb": settings.PASSPORT_DECODE_MEMORY_MB,
}))
"""


def _ordinary_photo() -> bytes:
    out = io.BytesIO()
    image = Image.radial_gradient("L").resize((6000, 4000)).convert("RGB")
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _measure(data: bytes, folder: Path, how: str = "child") -> dict:
    path = folder / "upload.bin"
    path.write_bytes(data)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DATA_DIR": str(folder)}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", MEASURE, str(path), how],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-hostile-"))
    import django

    django.setup()
    from tests.core import hostile_files
    from tests.web.test_hostile_uploads import CORPUS

    print("building the files (the 7000x7000 HEIC takes libheif a few seconds)...", flush=True)
    bombs = [
        (name, hostile_files.rgba_heic_7000() if name.endswith(".heic") else build())
        for name, build in hostile_files.DECODER_BOMBS
    ]
    ordinary = _ordinary_photo()
    cases = (
        [("ordinary-24mp-photo.jpg", ordinary)]
        + bombs
        + [(name, data) for name, data, _outcome in CORPUS]
    )
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, data in cases:
            rows.append((name, len(data), _measure(data, Path(folder))))
        in_process = _measure(ordinary, Path(folder), "in-process")
    budget_mb = rows[0][2]["budget_mb"]
    print(
        f"{'file':28} {'bytes':>9} {'outcome':26} {'web MB':>7} {'child MB':>8} "
        f"{'ms':>6} {'cpu ms':>7}  within budget"
        "\n(child MB: the decoder process's whole peak, interpreter included; 0: none was started)"
    )
    failures = []
    for index, (name, size, measured) in enumerate(rows):
        child_mb = measured["child_kb"] / 1024
        # CPU time, not wall time: on a shared machine the wall clock measures the neighbours.
        within = measured["cpu_ms"] < TIME_BUDGET_S * 1000 and child_mb <= budget_mb
        if not within and index > 0:  # the ordinary photo is the baseline, not a hostile file
            failures.append(name)
        print(
            f"{name:28} {size:>9} {measured['outcome']:26} {measured['extra_kb'] / 1024:>7.1f} "
            f"{child_mb:>8.1f} {measured['ms']:>6.0f} {measured['cpu_ms']:>7.0f}  "
            + ("baseline" if index == 0 else "yes" if within else "NO")
        )
    baseline = rows[0][2]
    worst_name, _size, worst = max(rows[1:], key=lambda row: row[2]["child_kb"])
    slowest_name, _size, slowest = max(rows[1:], key=lambda row: row[2]["ms"])
    print()
    print(
        f"worst hostile file for memory: {worst_name}, decoder {worst['child_kb'] / 1024:.1f} MB "
        f"({worst['child_kb'] / max(baseline['child_kb'], 1):.2f}x the ordinary photo's "
        f"{baseline['child_kb'] / 1024:.1f} MB); slowest: {slowest_name}, {slowest['ms']:.0f} ms "
        f"({slowest['ms'] / max(baseline['ms'], 1):.2f}x the ordinary photo's "
        f"{baseline['ms']:.0f} ms)"
    )
    print(
        f"the child process's cost on the ordinary photo: {baseline['ms'] - in_process['ms']:+.0f} ms "
        f"wall, {baseline['cpu_ms'] - in_process['cpu_ms']:+.0f} ms CPU "
        f"(in the web process: {in_process['ms']:.0f} ms, {in_process['cpu_ms']:.0f} ms CPU, "
        f"{in_process['extra_kb'] / 1024:.1f} MB)"
    )
    print(
        f"budget: under {TIME_BUDGET_S:.0f} s of CPU and {budget_mb} MB per decode: "
        + ("every hostile file within" if not failures else "EXCEEDED by " + ", ".join(failures))
        + f" (load average {os.getloadavg()[0]:.1f}: wall times grow with it, CPU times less)"
    )


if __name__ == "__main__":
    main()
