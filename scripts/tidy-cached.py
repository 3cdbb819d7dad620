#!/usr/bin/env python3
"""Runs clang-tidy over translation units, skipping those a previous clean run already covered.

Usage: scripts/tidy-cached.py BUILD_DIR UNIT...   (units relative to the source root, as lint.sh lists them)

A unit is skipped when the cache holds the key of a clean clang-tidy run over exactly the same input: the
SHA-256 of clang-tidy's version, the .clang-tidy file, the extra arguments, and the unit preprocessed with
its own compile command (-E -C -P: every header it includes, comments and NOLINT markers kept, no line
markers). Any change to the unit, a header it includes, a compile flag or the checks gives a new key, so the
unit is checked again; only a clean run (exit 0, no diagnostics) is remembered. The cache is
${XDG_CACHE_HOME:-~/.cache}/snprelay/clang-tidy (SNPRELAY_TIDY_CACHE overrides it; "off" disables it), a
directory of empty files named by key, like ccache for the compiler. Exit 1 when any unit has findings.
"""
import concurrent.futures
import hashlib
import json
import os
import pathlib
import shlex
import subprocess
import sys

EXTRA_ARGS = ["--extra-arg=-Wno-unknown-warning-option"]


def cache_dir():
    configured = os.environ.get("SNPRELAY_TIDY_CACHE")
    if configured == "off":
        return None
    if configured:
        return pathlib.Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "snprelay" / "clang-tidy"


def preprocess(entry):
    """The unit's compile command turned into a preprocessing run to stdout (None if it fails)."""
    args = shlex.split(entry["command"]) if "command" in entry else list(entry["arguments"])
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a == "-c":
            continue
        out.append(a)
    run = subprocess.run(out + ["-E", "-C", "-P"], cwd=entry["directory"], capture_output=True)
    return run.stdout if run.returncode == 0 else None


def main():
    build, units = sys.argv[1], sys.argv[2:]
    root = pathlib.Path(__file__).resolve().parent.parent
    commands = {}
    for e in json.loads((pathlib.Path(build) / "compile_commands.json").read_text()):
        commands[str(pathlib.Path(e["directory"], e["file"]).resolve())] = e
    version = subprocess.run(["clang-tidy", "--version"], capture_output=True).stdout
    config = (root / ".clang-tidy").read_bytes()
    cache = cache_dir()
    if cache:
        cache.mkdir(parents=True, exist_ok=True)

    def check(unit):
        """(unit, skipped, ok, output)"""
        path = str((root / unit).resolve())
        key = None
        entry = commands.get(path)
        if cache and entry:
            pre = preprocess(entry)
            if pre is not None:
                h = hashlib.sha256()
                for part in (version, config, " ".join(EXTRA_ARGS).encode(), pre):
                    h.update(hashlib.sha256(part).digest())
                key = h.hexdigest()
                if (cache / key).exists():
                    return unit, True, True, ""
        run = subprocess.run(["clang-tidy", "-p", build, "--quiet", *EXTRA_ARGS, path],
                             capture_output=True, text=True)
        ok = run.returncode == 0 and not run.stdout.strip()
        if ok and key:
            (cache / key).touch()
        return unit, False, ok, run.stdout

    jobs = os.cpu_count() or 2
    failed, skipped = [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for unit, was_skipped, ok, output in pool.map(check, units):
            skipped += was_skipped
            if not ok:
                failed.append(unit)
                sys.stdout.write(output)
    print(f"tidy-cached: {len(units)} units, {skipped} unchanged since a clean run, "
          f"{len(units) - skipped} checked, {len(failed)} with findings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
