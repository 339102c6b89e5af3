#!/usr/bin/env python3
"""Generate a realistic manual of N pages for benchmarks.

Usage: scripts/generate-site.py N OUT_DIR [--seed S]

Writes OUT_DIR/source/manual/*.html.md: front matter as the manual uses it
(title, owner_slack, section, parent, layout, type, review dates), headings,
lists, tables, 1 to 3 fenced code blocks per page in several languages, and
internal links with #fragments to headings that exist. Same N and seed, same
files.
"""
import argparse
import os
import random
import shutil

WORDS = (
    "deploy app cluster queue worker cache database backup restore alert "
    "metric dashboard incident rota access token secret rotate certificate "
    "domain search index publish content asset upload image router proxy "
    "release branch review ticket support escalate monitor log trace error "
    "latency capacity scale node pod service config migration schema job"
).split()
SECTIONS = [
    "2nd line", "Accounts", "Alerts", "Backups", "Deployment", "Databases",
    "Incidents", "Infrastructure", "Learning", "Monitoring", "Publishing",
    "Search", "Security", "Testing", "Tools",
]
OWNERS = ["#govuk-2ndline", "#platform-team", "#search-team", "#publishing", "@alex"]

CODE = {
    "sh": "cd {w}\nbundle exec rake {w}:{w2}\nkubectl -n apps get pods | grep {w}\n",
    "ruby": "class {W}Worker\n  def perform(id)\n    record = {W}.find(id)\n    record.update!(state: :{w2})\n  end\nend\n",
    "yaml": "{w}:\n  enabled: true\n  replicas: 3\n  image: registry/{w2}:1.2.3\n",
    "json": '{{\n  "name": "{w}",\n  "count": 42,\n  "tags": ["{w2}", "ops"]\n}}\n',
    "sql": "SELECT id, {w}\nFROM {w2}s\nWHERE updated_at > now() - interval '1 day';\n",
    "javascript": "function {w}(items) {{\n  return items.filter((x) => x.{w2}).map((x) => x.id);\n}}\n",
    "": "{w} {w2} output\nline two of plain text\n",
}


def sentence(rng, n=12):
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def heading_id(text):
    # Mirrors the generator's documented heading-id scheme for simple text.
    return "-".join(text.lower().split())


def page_plan(rng, n):
    plans = []
    for i in range(n):
        title_words = [rng.choice(WORDS) for _ in range(rng.randint(2, 5))]
        title = " ".join(title_words).capitalize() + f" {i}"
        headings = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).capitalize() + f" {j}"
            for j in range(rng.randint(3, 7))
        ]
        plans.append({"slug": f"page-{i:05d}", "title": title, "headings": headings})
    return plans


def render_page(rng, i, plans):
    me = plans[i]
    lines = [
        "---",
        f'title: "{me["title"]}"',
        f'owner_slack: "{rng.choice(OWNERS)}"',
        f"section: {rng.choice(SECTIONS)}",
        'parent: "/manual.html"',
        "layout: manual_layout",
    ]
    if rng.random() < 0.2:
        lines.append("type: learn")
    if rng.random() < 0.05:
        lines.append("important: true")
    if rng.random() < 0.5:
        lines.append(f"review_by: 2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    lines += ["---", "", sentence(rng, 30), ""]
    code_blocks = rng.randint(1, 3)
    for j, heading in enumerate(me["headings"]):
        level = "##" if j == 0 or rng.random() < 0.6 else "###"
        lines += [f"{level} {heading}", "", sentence(rng, 25) + " " + sentence(rng, 15), ""]
        if rng.random() < 0.5:
            lines += [f"- {sentence(rng, 6)}" for _ in range(rng.randint(2, 5))] + [""]
        if rng.random() < 0.3:
            lines += ["| Name | Value | Notes |", "|---|---|---|"]
            lines += [f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} | {sentence(rng, 4)} |" for _ in range(3)]
            lines.append("")
        if code_blocks and (rng.random() < 0.5 or j == len(me["headings"]) - 1):
            code_blocks -= 1
            lang = rng.choice(list(CODE))
            w, w2 = rng.choice(WORDS), rng.choice(WORDS)
            body = CODE[lang].format(w=w, w2=w2, W=w.capitalize())
            lines += [f"```{lang}", body.rstrip("\n"), "```", ""]
        if rng.random() < 0.7:
            other = plans[rng.randrange(len(plans))]
            target = rng.choice(other["headings"])
            lines += [
                f"See [{other['title']}](/manual/{other['slug']}.html#{heading_id(target)}) "
                f"and [this section](#{heading_id(me['headings'][0])}).",
                "",
            ]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    manual = os.path.join(args.out, "source", "manual")
    shutil.rmtree(os.path.join(args.out, "source"), ignore_errors=True)
    os.makedirs(manual)
    plans = page_plan(rng, args.pages)
    for i, plan in enumerate(plans):
        with open(os.path.join(manual, plan["slug"] + ".html.md"), "w", encoding="utf-8") as f:
            f.write(render_page(rng, i, plans))
    print(f"wrote {args.pages} pages to {manual}")


if __name__ == "__main__":
    main()
