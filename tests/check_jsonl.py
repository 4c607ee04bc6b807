#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check every line of lrutop -b -j output against docs/lrutop-jsonl.schema.json.

usage: check_jsonl.py SCHEMA FILE [--min-lines N] [--backend NAME] [--nonempty KEY]...
Exit 0 if every line is a JSON object the schema accepts; 1 with the line and the reason.
--backend: every line must come from that backend. --nonempty KEY: the last line's KEY (a
field, or a.b for a field of a field) must be a non-empty array or object: the schema alone
allows an empty one.
"""
import argparse
import json
import sys

import jsonschema


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("schema")
    ap.add_argument("file")
    ap.add_argument("--min-lines", type=int, default=1)
    ap.add_argument("--backend")
    ap.add_argument("--nonempty", action="append", default=[])
    args = ap.parse_args()
    with open(args.schema) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    n = 0
    with open(args.file) as f:
        for lineno, line in enumerate(f, 1):
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"{args.file}:{lineno}: not JSON: {e}")
                return 1
            errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
            for e in errors:
                where = "/".join(str(p) for p in e.path) or "(root)"
                print(f"{args.file}:{lineno}: {where}: {e.message}")
            if errors:
                return 1
            if args.backend and doc.get("backend") != args.backend:
                print(f"{args.file}:{lineno}: backend {doc.get('backend')}, not {args.backend}")
                return 1
            last = doc
            n += 1
    if n < args.min_lines:
        print(f"{args.file}: {n} lines, expected at least {args.min_lines}")
        return 1
    for key in args.nonempty:
        value = last
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not value:
            print(f"{args.file}: the last report's {key} is empty or absent")
            return 1
    print(f"{args.file}: {n} lines valid against {args.schema}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
