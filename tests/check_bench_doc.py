#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Every figure in docs/BENCHMARKS.md is in the raw output it cites.

A section (from one "## " heading to the next; the text before the first is one too) cites
the raw outputs whose paths, docs/bench/NAME, it names. Each number in its text, outside
code spans, indented code and "> " quotations (the issues' targets, quoted), must appear in
one of them, written the same way (thousands separators aside): a figure the raw output
does not print, a rounding of it or a sum made by hand fails. A section with numbers must
cite a raw output; a raw output must exist and say, on its "# command:" and "# commit:"
lines (scripts/bench-header.sh), the command that made it and a clean commit of this
repository's history.

usage: check_bench_doc.py [--self-test] DOC
  --self-test: the check must fail on DOC with one figure altered, and on DOC citing a raw
  output made on a tree with uncommitted changes (each done on a copy).
Prints one line per problem; exit status 1 when there is one, 2 on bad usage."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

CITE = re.compile(r"docs/bench/[\w.+-]+")
# A number as the text writes it: 46,759 or 0.61 or 6.18.44 or -7.9, not part of a word
# (6f51967, x86, kmalloc-96: see doc_numbers) or of a path.
DOC_NUMBER = re.compile(r"(?<![\w.,/])(-?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)*)(?![\w/])")
RAW_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)*")
CODE_SPAN = re.compile(r"`[^`]*`")
COMMIT = re.compile(r"^# commit: ([0-9a-f]{7,40}) \(clean\)$", re.M)


def sections(lines):
	"""(heading line number, [(line number, text)]) for each section, prose only."""
	out, cur, in_fence, prev_blank = [], (1, []), False, True
	for n, line in enumerate(lines, 1):
		if line.startswith("```"):
			in_fence = not in_fence
			continue
		if line.startswith("## ") and not in_fence:
			out.append(cur)
			cur = (n, [])
			continue
		indented = line.startswith(("    ", "\t")) and not line.lstrip().startswith(("-", "|"))
		if in_fence or line.startswith("# ") or line.startswith(">") or (indented and prev_blank):
			continue
		prev_blank = line.strip() == ""
		cur[1].append((n, line))
	out.append(cur)
	return out


def doc_numbers(text):
	"""The numbers of a line of prose, as (written, normalised): a sign only where a
	minus stands on its own, not after a word (kmalloc-96 holds no figure)."""
	for m in DOC_NUMBER.finditer(text):
		if not m.group(1) and m.start(2) and text[m.start(2) - 1] == "-":
			continue
		if m.group(1) and m.start(1) and text[m.start(1) - 1].isalnum():
			continue
		yield m.group(0), m.group(0).replace(",", "")


def raw_numbers(text):
	"""Every number the raw output prints, separators dropped, with its sign and without;
	a dotted version adds its leading parts (6.18.44: 6.18 and 6 too)."""
	nums = set()
	for m in RAW_NUMBER.finditer(text):
		parts = m.group(0).rstrip(",").replace(",", "").split(".")
		for i in range(1, len(parts) + 1):
			nums.add(".".join(parts[:i]))
			nums.add(".".join(parts[:i]).lstrip("-"))
	return nums


def in_history(commit, top):
	"""Is commit one of the repository at top's?"""
	return subprocess.run(["git", "-C", top, "cat-file", "-e", commit + "^{commit}"],
			      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def raw_header_problems(path, text, top, history=True):
	"""What a raw output's header (scripts/bench-header.sh's lines) lacks: the command that
	made it, a clean commit, and (history) that commit in the repository at top. The other
	checks of docs/ (check_ab_docs.py, check_doc_screens.py) hold raw outputs to it too."""
	probs = []
	if not re.search(r"^# command: \S", text, re.M):
		probs.append(f"{path}: no '# command:' line naming what made it")
	m = COMMIT.search(text)
	if not m:
		probs.append(f"{path}: no '# commit: HASH (clean)' line: made on no commit, or a dirty tree")
	elif history and not in_history(m.group(1), top):
		probs.append(f"{path}: commit {m.group(1)} is not in this repository's history")
	return probs


def check_raw(path, top):
	"""Problems with a raw output's header, or None and its numbers."""
	full = os.path.join(top, path)
	if not os.path.isfile(full):
		return [f"{path}: no such raw output"], set()
	text = open(full, encoding="utf-8").read()
	probs = raw_header_problems(path, text, top, os.path.isdir(os.path.join(top, ".git")))
	return probs, raw_numbers(text)


def check(doc, top):
	lines = open(doc, encoding="utf-8").read().split("\n")
	probs, raws = [], {}
	for start, body in sections(lines):
		cited = sorted({c for _, t in body for c in CITE.findall(t)})
		nums = set()
		for c in cited:
			if c not in raws:
				raws[c] = check_raw(c, top)
				probs += raws[c][0]
			nums |= raws[c][1]
		for n, text in body:
			for written, fig in doc_numbers(CODE_SPAN.sub("", text)):
				if not cited:
					probs.append(f"{doc}:{n}: {written}: the section (line {start}) cites no raw output")
				elif fig not in nums:
					probs.append(f"{doc}:{n}: {written} is not in {', '.join(cited)}")
	return probs


def self_test(doc, top):
	"""The check fails on an altered figure and on a dirty raw output."""
	bad = []
	with tempfile.TemporaryDirectory() as tmp:
		shutil.copytree(os.path.join(top, "docs"), os.path.join(tmp, "docs"))
		copy = os.path.join(tmp, "docs", os.path.basename(doc))
		text = open(copy, encoding="utf-8").read()
		if check(copy, tmp):
			bad.append("the copy fails before any change")
		# The first bold figure, one more in its last digit.
		m = re.search(r"\*\*(\d[\d,.]*\d)", text)
		if not m:
			return ["no bold figure to alter"]
		fig = m.group(1)
		altered = fig[:-1] + str((int(fig[-1]) + 1) % 10)
		open(copy, "w", encoding="utf-8").write(text[:m.start(1)] + altered + text[m.end(1):])
		if not any(altered in p for p in check(copy, tmp)):
			bad.append(f"{fig} altered to {altered} passed")
		open(copy, "w", encoding="utf-8").write(text)
		raw = os.path.join(tmp, sorted(set(CITE.findall(text)))[0])
		rtext = open(raw, encoding="utf-8").read()
		open(raw, "w", encoding="utf-8").write(COMMIT.sub(r"# commit: \1 (dirty: not for docs)", rtext))
		if not any("dirty" in p for p in check(copy, tmp)):
			bad.append("a raw output made on a dirty tree passed")
	return [f"self-test: {b}" for b in bad]


def main(argv):
	args = [a for a in argv if a != "--self-test"]
	if len(args) != 1:
		print("usage: check_bench_doc.py [--self-test] DOC", file=sys.stderr)
		return 2
	doc = args[0]
	top = os.path.dirname(os.path.dirname(os.path.abspath(doc)))
	probs = self_test(doc, top) if "--self-test" in argv else check(doc, top)
	for p in probs:
		print(p)
	if not probs:
		print(f"{doc}: every figure is in the raw output it cites"
		      + (" (and the check fails on an altered figure and a dirty output)" if "--self-test" in argv else ""))
	return 1 if probs else 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
