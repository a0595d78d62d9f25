"""Memory and time of checking hostile uploads (make bench-hostile).

Each file of the hostile corpus (tests/web/test_hostile_uploads.py) and an ordinary 24-megapixel
phone photo for comparison go through ``uploads.core.images.normalise_upload`` in a fresh process; the
table shows the outcome, the peak memory above the process's baseline (ru_maxrss), and the time.
The last lines compare the worst case with the ordinary photo and with the budget.
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
BUDGET_MB = 400  # what one upload may cost a worker, at most

MEASURE = """
import json, sys, time
import django
django.setup()
from uploads.core.images import RejectedFile, normalise_upload

def status_kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])

data = open(sys.argv[1], "rb").read()
# Reset the peak (Linux): the high-water mark then counts from here, not from the imports.
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
baseline = status_kb("VmRSS")
started = time.perf_counter()
try:
    normalise_upload(data)
    outcome = "cleaned"
except RejectedFile as rejected:
    outcome = "refused: " + rejected.code
elapsed = time.perf_counter() - started
peak = status_kb("VmHWM")
print(json.dumps({"outcome": outcome, "extra_kb": peak - baseline, "ms": elapsed * 1000}))
"""


def _ordinary_photo() -> bytes:
    out = io.BytesIO()
    image = Image.radial_gradient("L").resize((6000, 4000)).convert("RGB")
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _measure(data: bytes, folder: Path) -> dict:
    path = folder / "upload.bin"
    path.write_bytes(data)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DATA_DIR": str(folder)}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-hostile-"))
    import django

    django.setup()
    from tests.web.test_hostile_uploads import CORPUS

    cases = [("ordinary-24mp-photo.jpg", _ordinary_photo())] + [
        (name, data) for name, data, _outcome in CORPUS
    ]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, data in cases:
            measured = _measure(data, Path(folder))
            rows.append((name, len(data), measured))
    print(f"{'file':28} {'bytes':>10} {'outcome':24} {'peak MB':>8} {'ms':>8}")
    for name, size, measured in rows:
        print(
            f"{name:28} {size:>10} {measured['outcome']:24} "
            f"{measured['extra_kb'] / 1024:>8.1f} {measured['ms']:>8.0f}"
        )
    ordinary = rows[0][2]
    worst_name, _size, worst = max(rows[1:], key=lambda row: row[2]["extra_kb"])
    print()
    print(
        f"worst hostile file: {worst_name}, {worst['extra_kb'] / 1024:.1f} MB "
        f"({worst['extra_kb'] / max(ordinary['extra_kb'], 1):.2f}x the ordinary photo's "
        f"{ordinary['extra_kb'] / 1024:.1f} MB); budget {BUDGET_MB} MB: "
        + ("within" if worst["extra_kb"] / 1024 <= BUDGET_MB else "EXCEEDED")
    )


if __name__ == "__main__":
    main()
