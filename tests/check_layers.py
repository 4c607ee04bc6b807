#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Each file of src/ includes only from its own folder or from a layer below its own.

The layers, from the ground up (README, "Layout"): bpf/ (the shared header; and the
skeletons generated from it, which kernel/ wraps), lib/, kernel/, state/, view/, then
export/ and ab/ side by side, cmd/ on top. An include names its layer
(#include "kernel/probe.h"); only a header of the file's own folder is included by its bare
name. Siblings on one floor (export/, ab/) include nothing of each other.

usage: check_layers.py [--self-test] [SRC]   (SRC: src/ unless told)
  --self-test: the check must fail on a copy of SRC where lib/ includes from cmd/, and
  where a file includes another folder's header by its bare name.
Prints one line per include out of place; exit status 1 when there is one."""
import glob
import os
import re
import shutil
import sys
import tempfile

RANK = {"bpf": 0, "lib": 1, "kernel": 2, "state": 3, "view": 4, "export": 5, "ab": 5, "cmd": 6}
BPF_HEADERS = {"lrutop.h", "kernel.bpf.h", "vmlinux.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(name):
	"""The layer an include names: its folder, or bpf/ for the shared headers and the
	skeletons (generated from bpf/ into build/)."""
	if name in BPF_HEADERS or name.endswith(".skel.h"):
		return "bpf"
	return name.split("/")[0] if "/" in name else None


def check(src):
	probs = []
	for path in sorted(glob.glob(os.path.join(src, "*", "*.[ch]")) + glob.glob(os.path.join(src, "*.[ch]"))):
		rel = os.path.relpath(path, src)
		own = rel.split("/")[0] if "/" in rel else None
		if own not in RANK:
			probs.append(f"{rel}: not in a layer ({', '.join(RANK)})")
			continue
		text = open(path, encoding="utf-8").read()
		for m in INCLUDE.finditer(text):
			name = m.group(1)
			line = text.count("\n", 0, m.start()) + 1
			where = f"{rel}:{line}: #include \"{name}\""
			layer = layer_of(name)
			if layer is None:
				if not os.path.exists(os.path.join(os.path.dirname(path), name)):
					probs.append(f"{where}: another folder's header by its bare name (write its layer: \"folder/{name}\")")
				continue
			if layer not in RANK:
				probs.append(f"{where}: {layer}/ is no layer")
			elif layer != own and RANK[layer] >= RANK[own]:
				probs.append(f"{where}: {own}/ may include only from the layers below it, not {layer}/")
	return probs


def self_test(src):
	"""The check fails on an include that runs back up and on a bare cross-folder one."""
	bad = []
	with tempfile.TemporaryDirectory() as tmp:
		copy = os.path.join(tmp, "src")
		shutil.copytree(src, copy)
		if check(copy):
			bad.append("the copy fails before any change")
		target = sorted(glob.glob(os.path.join(copy, "lib", "*.c")))[0]
		with open(target, "a", encoding="utf-8") as f:
			f.write('#include "cmd/opts.h"\n#include "probe.h"\n')
		probs = check(copy)
		if not any("cmd/opts.h" in p for p in probs):
			bad.append("lib/ including cmd/opts.h passed")
		if not any('"probe.h"' in p for p in probs):
			bad.append("a bare include of kernel/probe.h from lib/ passed")
	return [f"self-test: {b}" for b in bad]


def main(argv):
	args = [a for a in argv if a != "--self-test"]
	src = args[0] if args else "src"
	probs = self_test(src) if "--self-test" in argv else check(src)
	for p in probs:
		print(p)
	if not probs:
		print(f"{src}: every include comes from its own folder or a layer below"
		      + (" (and the check fails on one that runs back up)" if "--self-test" in argv else ""))
	return 1 if probs else 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
