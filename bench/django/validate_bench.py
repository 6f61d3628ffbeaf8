#!/usr/bin/python3
"""validate_bench.py — how fast jsonschema validates the filing document on one thread, beside
beian's full validation (build/bench_validate), both counted per CPU-second of the thread doing
the work, so that a machine shared with other work (whose scheduler hands each process a share
of a core) changes both alike: the ratio stays meaningful where requests per wall-clock second
do not. The same document bytes; the schemas derived from the same form (filings/form_schema.py).

  validate_bench.py FORM.json DOC.json [--beian BENCH_VALIDATE PACK_DIR] [--cpu S] [--rounds N]

Each measurement takes S CPU-seconds per round (0.4), N rounds (3) interleaved with the others,
the best round reported. Prints one line per measurement, "<name> <per CPU-second> <µs each>":
  validate    (with --beian) beian: parse + form shape and completeness + the pack's rules and
              classification, BENCH_ONLY=validate bench_validate run for a fixed count, its
              CPU time (getrusage of the child) less that of a run of one
  parse       json.loads of the bytes (the yardstick, as json_loads is for beian)
  shape       json.loads + the shape schema, every error collected (what the peer's PUT does)
  submission  json.loads + the submission schema (shape and completeness)
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from filings import form_schema  # noqa: E402


def python_rate(work, cpu_seconds):
    """Calls of work per CPU-second of this thread over about cpu_seconds."""
    n = 0
    start = time.thread_time()
    while True:
        for _ in range(10):
            work()
        n += 10
        used = time.thread_time() - start
        if used >= cpu_seconds:
            return n / used


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def beian_cpu(binary, pack, count):
    env = dict(os.environ, BENCH_ONLY="validate", BENCH_COUNT=str(count))
    before = children_cpu()
    subprocess.run([binary, pack], env=env, check=True, stdout=subprocess.DEVNULL)
    return children_cpu() - before


def beian_rate(binary, pack, cpu_seconds, guess):
    """Validations per CPU-second of bench_validate: a run of n less a run of one (start-up,
    the pack's loading and the warm-up), n chosen from the last rate to take about cpu_seconds."""
    n = max(int(guess * cpu_seconds), 50)
    used = beian_cpu(binary, pack, n + 1) - beian_cpu(binary, pack, 1)
    return n / used if used > 0 else guess


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("form")
    ap.add_argument("doc")
    ap.add_argument("--beian", nargs=2, metavar=("BENCH_VALIDATE", "PACK_DIR"))
    ap.add_argument("--cpu", type=float, default=0.4)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    with open(a.doc, "rb") as f:
        raw = f.read()
    checker = jsonschema.FormatChecker()
    shape = jsonschema.Draft7Validator(form_schema.load(a.form), format_checker=checker)
    submission = jsonschema.Draft7Validator(form_schema.load(a.form, complete=True), format_checker=checker)
    for validator in (shape, submission):
        errors = list(validator.iter_errors(json.loads(raw)))
        if errors:
            sys.exit("validate_bench: the document does not pass: %s" % errors[0].message)
    runs = [
        ("parse", lambda: json.loads(raw)),
        ("shape", lambda: list(shape.iter_errors(json.loads(raw)))),
        ("submission", lambda: list(submission.iter_errors(json.loads(raw)))),
    ]
    for _, work in runs:
        python_rate(work, 0.05)   # warm-up
    best = {}
    beian_guess = 1000.0
    for _ in range(a.rounds):
        if a.beian:
            beian_guess = beian_rate(a.beian[0], a.beian[1], a.cpu, beian_guess)
            best["validate"] = max(best.get("validate", 0), beian_guess)
        for name, work in runs:
            best[name] = max(best.get(name, 0), python_rate(work, a.cpu))
    for name, rate in best.items():
        print("%s %.0f %.1f" % (name, rate, 1e6 / rate))


if __name__ == "__main__":
    main()
