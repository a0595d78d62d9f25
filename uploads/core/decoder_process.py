"""Decoding in a child process under limits: the web process never runs a decoder on a customer's
file itself.

Each file gets a fresh interpreter (``python -I -m uploads.core.decoding``) with an empty
environment (no settings, no keys, no database address), which limits its own address space and
CPU time before reading the file from a pipe (never a temporary file) and answers through another
pipe. The parent kills it at the wall-clock deadline. A fresh interpreter rather than a fork of the
web process: nothing of the web process (keys in memory, open connections, threads) is inherited,
and its cost, ~0.1 s of start-up per upload, is measured by ``make bench-hostile``.
"""

import logging
import subprocess
import sys
import sysconfig
from pathlib import Path

from uploads.core.decoding import (
    Decoded,
    DecodeLimits,
    DecodeRefused,
    decode_answer,
    limits_as_json,
)

logger = logging.getLogger(__name__)

# Where the child finds the decoder (the folder holding the ``uploads`` package) and the libraries:
# the interpreter starts without ``site`` (-S), which saves reading every .pth file of the
# environment (~0.1 s of CPU per upload).
_CHILD_PATH = [
    str(Path(__file__).resolve().parents[2]),
    *dict.fromkeys(sysconfig.get_paths()[name] for name in ("purelib", "platlib")),
]
_CHILD_PROGRAM = (
    "import sys; sys.path[:0] = sys.argv[1:]; "
    "from uploads.core.decoding import child_main; child_main()"
)
# The largest answer we read back: a 4096x4096 JPEG at quality 90 of pure noise is ~13 MB.
MAX_ANSWER_BYTES = 32 * 1024 * 1024
# Only what the child needs: no secret of the web process's environment reaches a decoder.
_CHILD_ENVIRONMENT = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    # One malloc arena: each arena reserves 64 MB of address space, which the limit counts.
    "MALLOC_ARENA_MAX": "1",
}


def decode_in_child(data: bytes, limits: DecodeLimits, *, timeout_seconds: float) -> Decoded:
    """``decoding.normalise(data, limits)`` in a child process; raise DecodeRefused for a refused
    file, and ``DecodeRefused("too_complex")`` when the child ran out of time, memory or CPU."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-I", "-S", "-c", _CHILD_PROGRAM, *_CHILD_PATH],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # a traceback could quote what was decoded
        env=_CHILD_ENVIRONMENT,
        cwd="/",
        close_fds=True,
    )
    try:
        answer, _ = process.communicate(limits_as_json(limits) + data, timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        logger.warning("Decoding stopped at its deadline of %s s", timeout_seconds)
        raise DecodeRefused("too_complex") from None
    finally:
        if process.poll() is None:  # an exception of ours (KeyboardInterrupt...) while waiting
            process.kill()
            process.wait()
    if process.returncode != 0 or len(answer) > MAX_ANSWER_BYTES:
        # Killed at its CPU limit, out of address space in a C library, or crashed.
        logger.warning("Decoding process ended with %s", process.returncode)
        raise DecodeRefused("too_complex")
    try:
        result = decode_answer(answer)
    except ValueError:
        raise DecodeRefused("too_complex") from None
    if isinstance(result, DecodeRefused):
        raise result
    return result
