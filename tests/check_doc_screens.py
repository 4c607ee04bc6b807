#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Every sample output a document shows is a kept raw output's, line for line.

In the section of DOC headed HEADING (to the next heading of its level), each fenced block
must be found, in order, in one of the raw outputs the section cites (docs/bench/NAME): its
lines contiguous there, except that a line "..." stands for lines left out. Each raw output
must say, on its "# command:" and "# commit:" lines (scripts/bench-header.sh), the command
that made it and a clean commit of this repository's history.

usage: check_doc_screens.py [--self-test] DOC HEADING
  --self-test: the check must fail on a copy of DOC with one character of a block altered.
Prints one line per problem; exit status 1 when there is one, 2 on bad usage."""
import os
import re
import sys
import tempfile

from check_bench_doc import CITE, raw_header_problems


def section(text, heading):
	lines = text.splitlines()
	level = heading.split(" ")[0]
	for i, line in enumerate(lines):
		if line == heading:
			for j in range(i + 1, len(lines)):
				if lines[j].startswith("#") and lines[j].split(" ")[0] in (level, level[:-1]) and \
				   not lines[j].startswith(level + "#"):
					return lines[i + 1:j]
			return lines[i + 1:]
	return None


def blocks(lines):
	out, cur = [], None
	for line in lines:
		if line.startswith("```"):
			if cur is None:
				cur = []
			else:
				out.append(cur)
				cur = None
		elif cur is not None:
			cur.append(line)
	return out


def found(block, raw):
	"""Are block's segments (split at "...") in raw, each contiguous, in order?"""
	segs, seg = [], []
	for line in block:
		if line.strip() == "...":
			segs.append(seg)
			seg = []
		else:
			seg.append(line.rstrip())
	segs.append(seg)
	at = 0
	for seg in segs:
		if not seg:
			continue
		for k in range(at, len(raw) - len(seg) + 1):
			if raw[k:k + len(seg)] == seg:
				at = k + len(seg)
				break
		else:
			return False
	return True


def check(doc, heading, top):
	probs = []
	sec = section(open(doc, encoding="utf-8").read(), heading)
	if sec is None:
		return [f"{doc}: no section '{heading}'"]
	raws = {}
	for path in sorted(set(CITE.findall("\n".join(sec)))):
		full = os.path.join(top, path)
		if not os.path.isfile(full):
			probs.append(f"{doc}: cites {path}, which does not exist")
			continue
		text = open(full, encoding="utf-8").read()
		probs += raw_header_problems(path, text, top)
		raws[path] = [line.rstrip() for line in text.splitlines()]
	bl = blocks(sec)
	if bl and not raws:
		probs.append(f"{doc}: '{heading}' shows outputs but cites no raw output (docs/bench/...)")
	for n, b in enumerate(bl, 1):
		if not any(found(b, raw) for raw in raws.values()):
			probs.append(f"{doc}: block {n} of '{heading}' ({b[0][:40] if b else ''}...) is in no raw output it cites")
	return probs


def self_test(doc, heading, top):
	text = open(doc, encoding="utf-8").read()
	sec = section(text, heading) or []
	bl = [b for b in blocks(sec) if any(ch.isdigit() for line in b for ch in line)]
	if not bl:
		return [f"self-test: '{heading}' has no block with a digit to alter"]
	line = next(line for line in bl[0] if any(ch.isdigit() for ch in line))
	i = next(k for k, ch in enumerate(line) if ch.isdigit())
	altered = line[:i] + str((int(line[i]) + 1) % 10) + line[i + 1:]
	with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as f:
		f.write(text.replace(line, altered, 1))
	try:
		if not check(f.name, heading, top):
			return [f"self-test: the check passed '{altered.strip()[:60]}'"]
	finally:
		os.unlink(f.name)
	return []


def main(argv):
	args = [a for a in argv if a != "--self-test"]
	if len(args) != 2 or not os.path.isfile(args[0]):
		print("usage: check_doc_screens.py [--self-test] DOC HEADING", file=sys.stderr)
		return 2
	top = os.path.dirname(os.path.abspath(__file__)) + "/.."
	probs = (self_test if "--self-test" in argv else check)(args[0], args[1], top)
	for p in probs:
		print(p)
	if not probs:
		print(f"{args[0]}: every output '{args[1]}' shows is a kept raw output's"
		      + (" (and the check fails on an altered one)" if "--self-test" in argv else ""))
	return 1 if probs else 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
