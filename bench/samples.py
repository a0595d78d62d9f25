"""Our reader on the public samples (../shared/mrz/samples): `python -m bench.samples [NAME...]`."""

import json
import statistics
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "mrz" / "samples"


def normalise(fields: dict) -> dict:
    out = {}
    for key, value in fields.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        if isinstance(value, str):
            value = value.replace("<", "")
        out[key] = value
    return out


def compare(truth: dict, fields: dict, doc_type: str) -> list[str]:
    """The names of the truth's fields the reading got wrong."""
    got = normalise(fields)
    want = normalise(truth)
    wrong = [key for key in want if key != "type" and got.get(key) != want[key]]
    if doc_type != truth["type"]:
        wrong.append("type")
    return wrong


def main(names: list[str]) -> None:
    from uploads.mrz import read_mrz

    truth = json.loads((SAMPLES / "truth.json").read_text())
    right = valid_wrong = 0
    times = []
    for name, entry in truth.items():
        if names and name not in names:
            continue
        result = read_mrz((SAMPLES / name).read_bytes())
        times.append(result.elapsed_ms / 1000)
        wrong = compare(entry["fields"], result.fields, result.type) if result.found else ["all"]
        right += not wrong
        valid_wrong += bool(result.valid and wrong)
        got = normalise(result.fields)
        detail = {key: (got.get(key), entry["fields"][key]) for key in wrong if key != "all"}
        print(
            f"{name:22} valid={result.valid!s:5} {result.elapsed_ms:6.0f} ms wrong={wrong} {detail} {result.mrz}"
        )
    print(
        f"right {right}/{len(times)}  valid-wrong {valid_wrong}  median {statistics.median(times):.3f}s  max {max(times):.3f}s"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
