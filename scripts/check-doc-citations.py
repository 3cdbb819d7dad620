#!/usr/bin/env python3
"""Fails when a tracked file cites a document that is not in the repository, or a section it lacks.

Usage: scripts/check-doc-citations.py [--root DIR] [--no-self-test]

A citation is a token naming a `*.md` file (or a hyphenated upper-case document name followed by `§`, or one
ending in -FACTS, read as NAME.md), optionally followed by `§N` (`§4`, `§2.3`, `§4.3-4.6`) or by a
quoted section title (`PROTOCOL.md "Queries"`). Every tracked text file is read (source, comments, READMEs,
scripts, build files, data), except the fuzz corpora under tests/data/fuzz/ (random bytes) and this file.

Where a cited name is looked for:
- a path (`docs/DESIGN.md`, `tests/data/agreement/README.md`, `../shared/X.md`): as written, relative to the
  repository root and relative to the citing file's folder;
- a bare name (`PROTOCOL.md`, `README.md`, `PROVENANCE.md`): in the folder of any path the same line names
  (`tests/data/cosmos (PROVENANCE.md there)`), in the citing file's folder and each folder above it, in docs/,
  and in the folder of any path the citing file names elsewhere; a section must be in one of those found.
Not citations: absolute paths (`/usr/share/doc/...`, URLs), names built from shell variables
(`$pkg/README.md`) and the package's install location (`usr/share/doc/...`), which are not repository files.

A `§N` must name a heading of the resolved document whose text starts with N (`## 4. Verification rules`,
`### 2.3 ...`); a quoted title must appear in one of its headings or bold run-in titles (`- **Gas.**`),
case-insensitive. Exit 1 on any finding, each printed as `file:line: what is wrong`.

Before checking the tree, the checker checks itself on a fixture tree in a temporary directory (one dangling
name, one missing section, one missing title, and citations that must pass); --no-self-test skips that.
"""
import pathlib
import re
import subprocess
import sys
import tempfile

# A *.md token that does not start in the middle of a path, a word or a shell variable.
CITATION = re.compile(r"(?<![\w$/.{}-])((?:\.{1,2}/|/)?(?:[\w.-]+/)*[\w-]+\.md)(?![\w/])")
# A document named without its extension: `COSMOS-FACTS §5`, `ONCHAIN-FACTS` (the first spec's fact sheets).
BARE_NAME = re.compile(r"(?<![\w./-])([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-FACTS|[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+(?=\s?§))"
                       r"(?![\w.-])")
SECTION = re.compile(r"\s*§\s?(\d+(?:\.\d+)*)(?:\s?[-–]\s?(\d+(?:\.\d+)*))?")
TITLE = re.compile(r"\)?,?\s+[\"']([^\"'\n]{1,60})[\"']")
PATH_TOKEN = re.compile(r"(?<![\w$/.-])((?:[\w.-]+/)+[\w.-]*)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*$")
# The fuzz corpora are random bytes; this file's own examples and fixture are citations on purpose.
SKIPPED_TREES = ("tests/data/fuzz/", "scripts/check-doc-citations.py")


def tracked_files(root):
    out = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], check=True, capture_output=True).stdout
    return [p for p in out.decode().split("\0") if p and not p.startswith(SKIPPED_TREES)]


def read_text(path):
    try:
        data = path.read_bytes()
    except OSError:
        return None  # listed by git but absent from the work tree (being moved): nothing to check
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", errors="replace")


def headings(doc, cache={}):
    if doc not in cache:
        text = read_text(doc) or ""
        cache[doc] = [m.group(1) for m in map(HEADING.match, text.splitlines()) if m]
    return cache[doc]


def has_numbered_section(doc, number):
    pattern = re.compile(r"^(?:§\s?)?" + re.escape(number) + r"(?:[.\s)]|$)")
    return any(pattern.match(h) for h in headings(doc))


def has_titled_section(doc, title):
    bold = re.findall(r"^\s*(?:[-*]\s+)?\*\*([^*\n]+)\*\*", read_text(doc) or "", re.M)
    return any(title.lower() in h.lower() for h in headings(doc) + bold)


def inside(root, path):
    try:
        path.resolve().relative_to(root.resolve())
        return path.is_file()
    except ValueError:
        return False


def folders_named(root, text):
    found = []
    for token in PATH_TOKEN.findall(text):
        named = root / token
        folder = named if named.is_dir() else named.parent
        if folder.is_dir() and folder not in found:
            found.append(folder)
    return found


def candidates(root, citing, name, line, text):
    """Every repository file the cited name may mean, most likely first; "skip" when it is no citation."""
    here = (root / citing).parent
    if name.startswith("/") or "usr/share/doc/" in name:
        return "skip"
    if "/" in name:
        folders = [root, here]
    else:
        folders = folders_named(root, line) + [here]
        while folders[-1].resolve() != root.resolve():
            folders.append(folders[-1].parent)
        folders += [root / "docs"] + folders_named(root, text)
    found = []
    for folder in folders:
        if inside(root, folder / name) and (folder / name).resolve() not in [f.resolve() for f in found]:
            found.append(folder / name)
    return found


def check_tree(root, counts=None):
    """The findings in the tree at root; counts (a dict), when given, gets "files" and "citations"."""
    root = pathlib.Path(root)
    findings = []
    counts = {} if counts is None else counts
    counts.update(files=0, citations=0)
    for rel in tracked_files(root):
        text = read_text(root / rel)
        if text is None:
            continue
        counts["files"] += 1
        if ".md" not in text and "§" not in text and "-FACTS" not in text:
            continue  # nothing a citation could start with
        for number, line in enumerate(text.splitlines(), 1):
            found = [(m, m.group(1)) for m in CITATION.finditer(line)]
            found += [(m, m.group(1) + ".md") for m in BARE_NAME.finditer(line)]
            counts["citations"] += len(found)
            for m, name in found:
                docs = candidates(root, rel, name, line, text)
                if docs == "skip":
                    continue
                where = f"{rel}:{number}"
                if not docs:
                    findings.append(f"{where}: cites {name}, which is not a file in this repository")
                    continue
                shown = docs[0].relative_to(root)
                rest = line[m.end():]
                section = SECTION.match(rest)
                if section:
                    for wanted in filter(None, section.groups()):
                        if not any(has_numbered_section(d, wanted) for d in docs):
                            findings.append(f"{where}: cites {name} §{wanted}; {shown} has no section {wanted}")
                    continue
                title = TITLE.match(rest)
                if title and not any(has_titled_section(d, title.group(1)) for d in docs):
                    findings.append(f"{where}: cites {name} \"{title.group(1)}\"; {shown} has no heading with "
                                    "that title")
    return findings


FIXTURE = {
    "docs/GUIDE.md": "# Guide\n\n## 1. Start\n\n### 1.2 Details\n\n## Queries\n",
    "lib/README.md": "# lib\n",
    "data/set/PROVENANCE.md": "# where the data came from\n",
    "lib/bare.go": "// the block hash (ONCHAIN-FACTS §2)\n",
    "lib/good.cpp": "// GUIDE.md §1, docs/GUIDE.md §1.2-1 and GUIDE.md \"Queries\"; README.md (lib's own)\n"
                    "// the vectors in data/set (PROVENANCE.md there); \"$pkg/README.md\"; /usr/share/x/NOTES.md\n"
                    "// https://example.org/SPEC.md; install -D README.md ./usr/share/doc/p/README.md\n",
    "lib/bad.cpp": "// the rules of SNP-FACTS.md §5.4\n// GUIDE.md §3: a section that does not exist\n"
                   "// GUIDE.md \"Errors\"\n// ../shared/DESIGN.md\n// COSMOS-FACTS §5; RFC 5869 §2.3; SEV-SNP ABI\n",
}
FIXTURE_EXPECTED = [
    "lib/bad.cpp:1: cites SNP-FACTS.md",
    "lib/bad.cpp:2: cites GUIDE.md §3",
    "lib/bad.cpp:3: cites GUIDE.md \"Errors\"",
    "lib/bad.cpp:4: cites ../shared/DESIGN.md",
    "lib/bad.cpp:5: cites COSMOS-FACTS.md",
    "lib/bare.go:1: cites ONCHAIN-FACTS.md",
]


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in FIXTURE.items():
            (pathlib.Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
            (pathlib.Path(tmp) / rel).write_text(text)
        subprocess.run(["git", "-C", tmp, "init", "-q"], check=True)
        subprocess.run(["git", "-C", tmp, "add", "."], check=True)
        findings = check_tree(tmp)
    if len(findings) != len(FIXTURE_EXPECTED) or not all(
            f.startswith(e) for f, e in zip(findings, FIXTURE_EXPECTED)):
        print("check-doc-citations: self-test failed; expected", *FIXTURE_EXPECTED, "got", *findings, sep="\n  ")
        return False
    return True


def main(argv):
    root = pathlib.Path(__file__).resolve().parent.parent
    if "--root" in argv:
        root = pathlib.Path(argv[argv.index("--root") + 1])
    if "--no-self-test" not in argv and not self_test():
        return 1
    counts = {}
    findings = check_tree(root, counts)
    for finding in findings:
        print(finding)
    verdict = f"{len(findings)} dangling, FAILED" if findings else "clean"
    print(f"check-doc-citations: {counts['citations']} citations in {counts['files']} files: {verdict}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
