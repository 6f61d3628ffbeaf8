#!/usr/bin/python3
"""validate_bench.py — how fast jsonschema validates the filing document on one thread, the
peer's counterpart of build/bench_validate: the same document bytes, the schemas derived from
the same form (filings/form_schema.py), each measurement SECONDS long in all, in four rounds
interleaved with the others, the best round reported.

  validate_bench.py FORM.json DOC.json [SECONDS]

Prints one line per measurement, "<name> <per second> <µs each>":
  parse       json.loads of the bytes (the yardstick, as json_loads is for beian)
  shape       json.loads + the shape schema, every error collected (what the peer's PUT does)
  submission  json.loads + the submission schema (shape and completeness), beside beian's full
              validation (which also runs the pack's rules)
"""
import json
import os
import sys
import time

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from filings import form_schema  # noqa: E402


def round_rate(work, seconds):
    """Calls of work per second over one round of about seconds."""
    n = 0
    start = time.perf_counter()
    while True:
        for _ in range(10):
            work()
        n += 10
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def best_rates(runs, seconds, rounds=4):
    """The best round of each, the rounds interleaved: on a machine shared with other work the
    best round is the one that had the core (this flatters the peer, if anything)."""
    for _, work in runs:
        round_rate(work, 0.1)   # warm-up
    best = {name: 0.0 for name, _ in runs}
    for _ in range(rounds):
        for name, work in runs:
            best[name] = max(best[name], round_rate(work, seconds / rounds))
    return best


def main():
    form, doc = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
    with open(doc, "rb") as f:
        raw = f.read()
    checker = jsonschema.FormatChecker()
    shape = jsonschema.Draft7Validator(form_schema.load(form), format_checker=checker)
    submission = jsonschema.Draft7Validator(form_schema.load(form, complete=True), format_checker=checker)
    for validator in (shape, submission):
        errors = list(validator.iter_errors(json.loads(raw)))
        if errors:
            sys.exit("validate_bench: the document does not pass: %s" % errors[0].message)
    runs = [
        ("parse", lambda: json.loads(raw)),
        ("shape", lambda: list(shape.iter_errors(json.loads(raw)))),
        ("submission", lambda: list(submission.iter_errors(json.loads(raw)))),
    ]
    for name, r in best_rates(runs, seconds).items():
        print("%s %.0f %.1f" % (name, r, 1e6 / r))


if __name__ == "__main__":
    main()
