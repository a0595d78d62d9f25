"""Look for readings reported valid but wrong on more generated photos than the bench holds.

    .venv/bin/python -m bench.mrz_scan degraded 101-109 [--count 40]
    .venv/bin/python -m bench.mrz_scan glare 104,105
    .venv/bin/python -m bench.mrz_scan dim 107-112 --kind PN --names-with B8
    .venv/bin/python -m bench.mrz_scan degraded 101-116 --each > after.txt

With ``--each``, a line per photo too (``seed/index right valid wrong-fields``): two such lists,
one made at another commit (``git archive REV | tar -x -C DIR`` and run there), ``diff`` to the
photos a change moved, the only way to tell a step's effect from the reader's rare run-to-run
differences (PassportEye's try turns on the CPU time spent).

For each seed, photos 0..count-1 of ``bench.synth.make_case(index, seed, hazard)`` (``none`` for
no hazard) are read (with ``--kind``, those of that format only; with ``--names-with``, those
whose names in the MRZ hold one of its characters: a PN's Я is 8, Б is B); a line per seed says
how many were all right, valid, and valid but wrong, and each valid but wrong one is listed with
the fields it got wrong. The bench's own sets hold 20 photos per hazard: the rarest failure, a
wrong value called valid, was found this way six times in 600 photos where the bench's sets
showed none. One process, about a second per photo.
"""

import argparse
import os

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # single-threaded, as the bench reads

from bench.samples import compare
from bench.synth import HAZARDS, KINDS, TODAY, make_case
from uploads.mrz import read_mrz


def seeds_from(text: str) -> list[int]:
    """``101-109`` or ``104,105`` (or both: ``7,101-103``)."""
    seeds: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        seeds.extend(range(int(first), int(last or first) + 1))
    return seeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hazard", choices=[*HAZARDS, "none"])
    parser.add_argument("seeds", type=seeds_from)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--kind", choices=sorted(set(KINDS)), help="only photos of this format")
    parser.add_argument("--names-with", default="", help="only names holding one of these")
    parser.add_argument("--each", action="store_true", help="a line per photo too")
    arguments = parser.parse_args()
    hazard = None if arguments.hazard == "none" else arguments.hazard
    total = {"right": 0, "valid": 0, "valid but wrong": 0, "photos": 0}
    for seed in arguments.seeds:
        right = valid = valid_wrong = photos = 0
        for index in range(arguments.count):
            case = make_case(index, seed, hazard)
            if arguments.kind and case.kind != arguments.kind:
                continue
            names = case.truth["surname"] + case.truth["given_names"]
            if arguments.names_with and not any(char in names for char in arguments.names_with):
                continue
            photos += 1
            result = read_mrz(case.data, today=TODAY)
            wrong = compare(case.truth, result.fields, result.type) if result.found else ["all"]
            right += not wrong
            valid += result.valid
            if arguments.each:
                print(f"{seed}/{index} {int(not wrong)} {int(result.valid)} {','.join(wrong)}")
            if result.valid and wrong:
                valid_wrong += 1
                print(
                    f"  valid but wrong: seed {seed}, photo {index} ({case.name}): {', '.join(wrong)}"
                )
        print(
            f"{arguments.hazard} seed {seed}: {right}/{photos} all right, {valid} valid, "
            f"{valid_wrong} valid but wrong",
            flush=True,
        )
        for key, value in zip(total, (right, valid, valid_wrong, photos), strict=True):
            total[key] += value
    print(", ".join(f"{key} {value}" for key, value in total.items()))


if __name__ == "__main__":
    main()
