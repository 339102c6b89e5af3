#!/usr/bin/env python3
"""Measure the shape of a manual's pages, for generate-site.py to copy.

Usage: scripts/corpus-shape.py [SOURCE_DIR]   (default: the GOV.UK sample)

Prints, over every `.md` page: bytes per page (quartiles), the share of
bytes inside fenced code blocks, code blocks per page, lines per block,
the fence languages by share of blocks, links and headings per page.
"""
import collections
import os
import re
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT = os.path.join(ROOT, "..", "shared", "corpus", "govuk-manual", "source")
FENCE = re.compile(r"^(```+|~~~+)\s*([^\s`{]*)", re.M)
LINK = re.compile(r"\]\(([^)\s]+)\)|^\[[^\]]+\]:\s*\S+", re.M)
HEADING = re.compile(r"^#{2,6}\s", re.M)


def pages(source):
    for folder, _, files in os.walk(source):
        for name in files:
            if ".md" in name:
                with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                    yield f.read()


def blocks(text):
    """(language, lines, bytes) of each fenced block."""
    found, lines, inside, fence, language, count, size = [], text.split("\n"), False, "", "", 0, 0
    for line in lines:
        if not inside:
            match = FENCE.match(line)
            if match:
                inside, fence, language, count, size = True, match.group(1), match.group(2).lower(), 0, 0
        elif line.strip().startswith(fence[:3]) and line.strip().strip(fence[0]) == "":
            found.append((language, count, size))
            inside = False
        else:
            count += 1
            size += len(line.encode()) + 1
    return found


def quartiles(values):
    q = statistics.quantiles(values, n=4)
    return f"{q[0]:.0f} / {statistics.median(values):.0f} / {q[2]:.0f}"


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    sizes, code_bytes, total_bytes, per_page, lines, links, headings = [], 0, 0, [], [], [], []
    languages = collections.Counter()
    for text in pages(source):
        size = len(text.encode())
        sizes.append(size)
        total_bytes += size
        found = blocks(text)
        per_page.append(len(found))
        for language, count, nbytes in found:
            languages[language or "(none)"] += 1
            lines.append(count)
            code_bytes += nbytes
        links.append(len(LINK.findall(text)))
        headings.append(len(HEADING.findall(text)))
    n = len(sizes)
    print(f"pages: {n}")
    print(f"bytes per page (quartiles): {quartiles(sizes)}; mean {statistics.mean(sizes):.0f}")
    print(f"share of bytes in code blocks: {100 * code_bytes / total_bytes:.1f}%")
    print(f"code blocks per page: mean {statistics.mean(per_page):.2f}; pages with none {sum(1 for b in per_page if b == 0)}")
    print(f"lines per block (quartiles): {quartiles(lines)}; mean {statistics.mean(lines):.1f}")
    total = sum(languages.values())
    print("languages by share of blocks: " + ", ".join(
        f"{language} {100 * count / total:.0f}%" for language, count in languages.most_common(12)))
    print(f"links per page: mean {statistics.mean(links):.1f}; headings per page: mean {statistics.mean(headings):.1f}")


if __name__ == "__main__":
    main()
