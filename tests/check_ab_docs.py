#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Every A/B document under docs/ab names the command that made it and a clean commit.

scripts/ab.sh heads each README.md it writes "Made by `COMMAND` on DATE at commit HASH
(clean tree)": the commit must be one of this repository's history, and the tree clean when
the run began (a run on uncommitted changes is not for docs/). Each raw output (a .txt file,
such as scripts/model-docs.sh's) says the same on its "# command:" and "# commit: HASH
(clean)" lines.

usage: check_ab_docs.py [--self-test] DIR
  --self-test: the check must fail on a copy whose README says "dirty tree", on one naming a
  commit that does not exist, and on one whose raw output was made on a dirty tree.
Prints one line per problem; exit status 1 when there is one, 2 on bad usage."""
import os
import re
import shutil
import sys
import tempfile

from check_bench_doc import in_history, raw_header_problems

MADE = re.compile(r"^Made by `[^`]+` on \d{4}-\d{2}-\d{2} at commit ([0-9a-f]{7,40}) \((clean|dirty) tree\)", re.M)


def readmes(top):
	for d, _, files in os.walk(top):
		if "README.md" in files:
			yield os.path.join(d, "README.md")


def check(top, repo):
	probs = []
	found = 0
	for path in sorted(readmes(top)):
		text = open(path, encoding="utf-8").read()
		m = MADE.search(text)
		if not m:
			probs.append(f"{path}: no 'Made by `COMMAND` on DATE at commit HASH (clean tree)' line")
			continue
		found += 1
		if m.group(2) != "clean":
			probs.append(f"{path}: made at commit {m.group(1)} on a tree with uncommitted changes")
		if not in_history(m.group(1), repo):
			probs.append(f"{path}: commit {m.group(1)} is not in this repository's history")
	for d, _, files in os.walk(top):
		for name in sorted(f for f in files if f.endswith(".txt")):
			path = os.path.join(d, name)
			probs += raw_header_problems(path, open(path, encoding="utf-8").read(), repo)
	if not found:
		probs.append(f"{top}: no A/B document")
	return probs


def self_test(top, repo):
	probs = []
	for what, old, new in (("a dirty tree", "(clean tree)", "(dirty tree)"),
			       ("a commit that does not exist", "at commit ", "at commit 0000000")):
		with tempfile.TemporaryDirectory() as tmp:
			copy = os.path.join(tmp, "ab")
			shutil.copytree(top, copy)
			path = next(readmes(copy))
			text = open(path, encoding="utf-8").read()
			open(path, "w", encoding="utf-8").write(text.replace(old, new, 1))
			if not check(copy, repo):
				probs.append(f"self-test: the check passed a README made on {what}")
	with tempfile.TemporaryDirectory() as tmp:
		copy = os.path.join(tmp, "ab")
		shutil.copytree(top, copy)
		raws = [os.path.join(d, f) for d, _, fs in os.walk(copy) for f in fs if f.endswith(".txt")]
		if raws:
			text = open(raws[0], encoding="utf-8").read()
			open(raws[0], "w", encoding="utf-8").write(text.replace("(clean)", "(dirty: not for docs)", 1))
			if not check(copy, repo):
				probs.append("self-test: the check passed a raw output made on a dirty tree")
	return probs


def main(argv):
	args = [a for a in argv if a != "--self-test"]
	if len(args) != 1 or not os.path.isdir(args[0]):
		print("usage: check_ab_docs.py [--self-test] DIR", file=sys.stderr)
		return 2
	repo = os.path.dirname(os.path.abspath(__file__)) + "/.."
	probs = self_test(args[0], repo) if "--self-test" in argv else check(args[0], repo)
	for p in probs:
		print(p)
	if not probs:
		print(f"{args[0]}: every A/B document names its command and a clean commit"
		      + (" (and the check fails on a dirty or unknown one)" if "--self-test" in argv else ""))
	return 1 if probs else 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
