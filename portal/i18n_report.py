"""Translation catalogue checks, shared by `make i18n-report` and the test suite.

Run as ``python -m portal.i18n_report`` to print how much of each language is translated.
"""

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LANGUAGE = "en"
_COUNT = re.compile(r"(\d+) (translated|fuzzy|untranslated) (?:message|translation)")


@dataclass(frozen=True)
class CatalogueStatus:
    language: str
    translated: int
    fuzzy: int
    untranslated: int
    errors: str  # what msgfmt --check said was wrong; empty when the file is sound

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


def catalogues() -> list[Path]:
    return sorted(
        path
        for path in LOCALE_DIR.glob("*/LC_MESSAGES/django.po")
        if path.parts[-3] != SOURCE_LANGUAGE
    )


def check(po: Path) -> CatalogueStatus:
    """msgfmt --check: syntax, header, and python-format placeholders that match the source."""
    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],  # noqa: S607
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    counts = {kind: int(number) for number, kind in _COUNT.findall(result.stderr)}
    errors = result.stderr if result.returncode != 0 else ""
    return CatalogueStatus(
        language=po.parts[-3],
        translated=counts.get("translated", 0),
        fuzzy=counts.get("fuzzy", 0),
        untranslated=counts.get("untranslated", 0),
        errors=errors,
    )


def main() -> int:
    statuses = [check(po) for po in catalogues()]
    print(f"{'language':<10} {'translated':>10} {'fuzzy':>6} {'missing':>8} {'done':>7}")
    for status in statuses:
        print(
            f"{status.language:<10} {status.translated:>10} {status.fuzzy:>6} {status.untranslated:>8}"
            f" {status.percent:>6.1f}%" + ("  ERRORS" if status.errors else "")
        )
    return 1 if any(status.errors for status in statuses) else 0


if __name__ == "__main__":
    sys.exit(main())
