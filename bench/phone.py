"""`make bench-phone`: a customer on a slow phone connection, from tapping *Upload* to the review page
fully loaded (its preview included), with and without JavaScript.

The portal runs on loopback (gunicorn with the project's config, SQLite, local storage, the MRZ read
inside the request as with the default task backend) and Debian's Chromium is driven by
Playwright as a 390x844 phone. Chromium's own network emulation (DevTools
``Network.emulateNetworkConditions``) throttles the page to 1.6 Mbit/s each way with 150 ms of
latency. The photo is a 4000x3000 JPEG of about 3 MB, as a phone takes it. The baseline, measured
in the same run, is the same steps without throttling: the ratio says what the slow network costs.
Targets (issue 16): under 7 s with JavaScript, under 20 s without. Printed, never asserted.

    make bench-phone                # 3 runs of each
    BENCH_RUNS=1 make bench-phone   # a quick look
"""

import io
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from bench.stack import HOST, ROOT, free_ports, start, stop, wait_until

SLOW = {"latency": 150, "throughput_bits": 1_600_000}
TARGETS_S = {True: 7.0, False: 20.0}
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


def phone_photo() -> bytes:
    """A 4000x3000 photo of the specimen page on a desk, with a camera's grain: about 3 MB."""
    from uploads.documents import specimens

    page = specimens.render_page(specimens.ERIKSSON, width=3000).convert("RGB")
    photo = Image.new("RGB", (4000, 3000), (118, 104, 92))
    page.thumbnail((3400, 2600))
    photo.paste(page, ((4000 - page.width) // 2, (3000 - page.height) // 2))
    grain = np.random.default_rng(2026).normal(0, 7, (3000, 4000, 3))
    noisy = np.clip(np.asarray(photo, dtype=np.float32) + grain, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(noisy).save(out, "JPEG", quality=90)
    return out.getvalue()


def environment(data_dir: Path) -> dict[str, str]:
    from portal.keys import new_master_key_text

    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": "https://passports.example.com",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATA_DIR": str(data_dir),
        "PASSPORT_ENCRYPTION_KEYS": new_master_key_text(),
        "EMAIL_HOST": HOST,  # nothing listens: the measured steps send no e-mail
        "EMAIL_PORT": str(free_ports(1)[0]),
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "WARNING",
        "NO_PROXY": HOST,
        "no_proxy": HOST,
    })  # fmt: skip
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


ORDERS_SCRIPT = """
from uploads.shops import services as shops
from uploads.requests import services
shop = shops.shop_ensure(name="Bench shop", contact_email="shop@example.com", notification_language="ru")
for index in range({count}):
    link = services.order_create(shop_id=shop.pk, number=f"B-{{index}}", customer_name="Anna Eriksson",
        email="", phone="+79001234567", language="ru", send_invitation=False)
    print("TOKEN", link.token)
"""


@dataclass
class Run:
    javascript: bool
    throttled: bool
    seconds: float
    sent_bytes: int
    preview_bytes: int
    review_fetches: int


def measure(
    browser, url: str, token: str, photo: bytes, *, javascript: bool, throttled: bool
) -> Run:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=url, java_script_enabled=javascript, **PHONE)
    context.set_default_timeout(120_000)
    page = context.new_page()
    sent, preview, reviews = [0], [0], [0]

    def on_request(request) -> None:  # type: ignore[no-untyped-def]
        if request.url.endswith("/upload/review/"):
            reviews[0] += 1

    def on_response(response) -> None:  # type: ignore[no-untyped-def]
        if "/upload/review/image/" in response.url:
            preview[0] += len(response.body())

    # The bytes of the photo as sent: the file posted without JavaScript, the shrunk copy with it.
    page.add_init_script(
        """(() => { const send = XMLHttpRequest.prototype.send;
        XMLHttpRequest.prototype.send = function (body) {
            if (body instanceof FormData) { let size = 0;
                for (const [, value] of body.entries()) if (value instanceof Blob) size += value.size;
                sessionStorage.setItem('sentPhoto', String(size)); }
            return send.apply(this, arguments); }; })();"""
    )
    try:
        page.goto(f"/u/{token}/")
        page.check("form.upload input[name=consent]")
        page.set_input_files(
            "form.upload input[type=file]:not([capture])",
            files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}],
        )
        if javascript:
            page.wait_for_selector("#photo-preview:not([hidden])")
        if throttled:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            per_second = SLOW["throughput_bits"] / 8
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": SLOW["latency"],
                    "downloadThroughput": per_second,
                    "uploadThroughput": per_second,
                },
            )
        page.on("request", on_request)
        page.on("response", on_response)
        started = time.perf_counter()
        page.click("form.upload button[type=submit]")
        page.wait_for_url("**/upload/review/", wait_until="load")
        page.wait_for_function(
            "() => { const i = document.querySelector('img.preview'); "
            "return i && i.complete && i.naturalWidth > 0; }"
        )
        seconds = time.perf_counter() - started
        sent[0] = (
            int(page.evaluate("sessionStorage.getItem('sentPhoto')") or 0)
            if javascript
            else len(photo)
        )
    finally:
        context.close()
    return Run(javascript, throttled, seconds, sent[0], preview[0], reviews[0])


def main() -> None:
    from playwright.sync_api import sync_playwright

    photo = phone_photo()
    with Image.open(io.BytesIO(photo)) as image:
        size = image.size
    print(
        f"photo: {size[0]}x{size[1]}, {len(photo) / 1e6:.2f} MB; network: "
        f"{SLOW['throughput_bits'] / 1e6:.1f} Mbit/s each way, {SLOW['latency']} ms; {RUNS} runs each"
    )
    with tempfile.TemporaryDirectory(prefix="bench-phone-") as folder:
        data_dir = Path(folder)
        env = environment(data_dir)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        count = RUNS * 4
        output = manage(env, "shell", "-c", ORDERS_SCRIPT.format(count=count))
        tokens = [line.split()[1] for line in output.splitlines() if line.startswith("TOKEN ")]
        assert len(tokens) == count, output
        port = free_ports(1)[0]
        log = data_dir / "gunicorn.log"
        web = start(
            [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.conf.py", "-b",
             f"{HOST}:{port}", "portal.wsgi"],
            env=env, log=log,
        )  # fmt: skip
        url = f"http://{HOST}:{port}"

        def up() -> bool:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            try:
                with opener.open(f"{url}/favicon.ico", timeout=5):
                    return True
            except urllib.error.HTTPError as error:
                return error.code < 500
            except OSError:
                return False

        runs: list[Run] = []
        try:
            wait_until(up, what="gunicorn", timeout_s=60, process=web, log=log)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                try:
                    for _ in range(RUNS):
                        for javascript in (True, False):
                            for throttled in (False, True):
                                runs.append(
                                    measure(
                                        browser, url, tokens.pop(), photo,
                                        javascript=javascript, throttled=throttled,
                                    )
                                )  # fmt: skip
                finally:
                    browser.close()
        finally:
            stop(web)
    print_table(runs)


def print_table(runs: list[Run]) -> None:
    header = (
        f"{'JavaScript':<11}{'network':<17}{'median s':>9}{'max s':>8}{'photo MB':>9}"
        f"{'preview KB':>11}{'review GETs':>12}{'x baseline':>11}{'target':>9}"
    )
    print(header)
    print("-" * len(header))
    for javascript in (True, False):
        baseline = statistics.median(
            run.seconds for run in runs if run.javascript == javascript and not run.throttled
        )
        for throttled in (False, True):
            chosen = [r for r in runs if r.javascript == javascript and r.throttled == throttled]
            median = statistics.median(run.seconds for run in chosen)
            target = TARGETS_S[javascript]
            verdict = (
                (f"< {target:.0f} s " + ("ok" if median < target else "MISSED"))
                if throttled
                else ""
            )
            print(
                f"{'on' if javascript else 'off':<11}"
                f"{'1.6 Mbit/s 150ms' if throttled else 'unthrottled':<17}"
                f"{median:>9.2f}{max(run.seconds for run in chosen):>8.2f}"
                f"{statistics.median(run.sent_bytes for run in chosen) / 1e6:>9.2f}"
                f"{statistics.median(run.preview_bytes for run in chosen) / 1024:>11.0f}"
                f"{max(run.review_fetches for run in chosen):>12}"
                f"{median / baseline:>11.1f}{verdict:>15}"
            )


if __name__ == "__main__":
    main()
