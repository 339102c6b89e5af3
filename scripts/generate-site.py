#!/usr/bin/env python3
"""Generate a realistic manual of N pages for benchmarks.

Usage: scripts/generate-site.py N OUT_DIR [--seed S] [--code-heavy]

Writes OUT_DIR/source/manual/*.html.md shaped like the GOV.UK manual sample
(measured with scripts/corpus-shape.py; the figures are below): page sizes,
code blocks per page (most pages none, a few dozens), lines per block and
fence languages drawn from its distributions, about 11 links per page with
#fragments to headings that exist, front matter as the manual uses it.
`--code-heavy` doubles the code blocks. Same N, seed and flags, same files.
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

# The shape of the GOV.UK manual sample (../shared/corpus/govuk-manual, 100
# pages), measured with scripts/corpus-shape.py on 2026-12-07: numbers only.
# Bytes per page, by decile (with the smallest and largest seen).
PAGE_BYTES = [600, 1238, 1861, 2445, 2765, 3194, 4208, 6108, 7065, 9560, 32000]
# Code blocks on each of the 100 pages: most have none, a few have dozens
# (8.5% of all bytes are code).
BLOCKS_PER_PAGE = [0] * 62 + [1] * 10 + [2] * 8 + [3] * 5 + [4] * 2 + [
    5, 6, 7, 7, 8, 8, 13, 14, 17, 17, 20, 44, 50]
# Lines per block, by decile (the largest seen is 42, the mean 3.5).
BLOCK_LINES = [1, 1, 1, 1, 1, 1, 2, 3, 6, 9, 20]
# Fence languages, by share of blocks ("" is a fence with none).
LANGUAGES = [("", 25), ("sh", 22), ("sql", 14), ("bash", 14), ("ruby", 7), ("yaml", 5),
             ("mongo", 4), ("diff", 3), ("text", 2), ("yml", 1), ("javascript", 1), ("json", 1),
             ("python", 1)]
LINKS_PER_PAGE = 11
HEADINGS_PER_PAGE = (3, 10)

CODE_LINES = {
    "sh": ["kubectl -n apps get pods | grep {w}", "bundle exec rake {w}:{w2}",
           "aws s3 cp s3://{w}-backups/{w2}.sql.gz . --profile govuk-{w}",
           "curl -sS https://{w}.example.org/healthcheck | jq .{w2}"],
    "bash": ["export {W}_TOKEN=$(cat ~/.{w}/token)", "for pod in $(kubectl get pods -o name); do echo $pod; done",
             "gds aws govuk-{w}-admin -- aws ec2 describe-instances --filters Name=tag:Name,Values={w2}"],
    "sql": ["SELECT id, {w} FROM {w2}s WHERE updated_at > now() - interval '1 day';",
            "UPDATE {w2}s SET state = '{w}' WHERE id IN (SELECT id FROM {w}s LIMIT 100);",
            "CREATE INDEX CONCURRENTLY index_{w}_on_{w2} ON {w}s ({w2});"],
    "ruby": ["{W}.where({w2}: nil).find_each {{ |r| r.update!({w2}: :{w}) }}",
             "Sidekiq::Queue.new(\"{w}\").each {{ |job| job.delete if job.klass == \"{W}Worker\" }}",
             "puts {W}.count"],
    "yaml": ["{w}:", "  enabled: true", "  replicas: 3", "  image: registry/{w2}:1.2.3"],
    "yml": ["- name: {w}", "  run: bundle exec rake {w2}"],
    "mongo": ["db.{w}s.find({{ {w2}: {{ $exists: false }} }}).count()"],
    "diff": ["- {w}: false", "+ {w}: true", "  {w2}: 3"],
    "text": ["{w} {w2} output", "Done in 3.2s."],
    "javascript": ["const {w} = items.filter((x) => x.{w2}).map((x) => x.id);"],
    "json": ['{{ "name": "{w}", "count": 42, "tags": ["{w2}", "ops"] }}'],
    "python": ["for {w} in client.list_{w2}s(): print({w}.id)"],
    "": ["{w} {w2} output", "Error: {w} not found ({w2})"],
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
            for j in range(rng.randint(*HEADINGS_PER_PAGE))
        ]
        plans.append({"slug": f"page-{i:05d}", "title": title, "headings": headings})
    return plans


def from_deciles(rng, deciles):
    """A value drawn from a distribution given by its deciles."""
    bucket = rng.randrange(len(deciles) - 1)
    low, high = deciles[bucket], deciles[bucket + 1]
    return rng.randint(min(low, high), max(low, high))


def code_block(rng, lines):
    languages, weights = zip(*LANGUAGES)
    language = rng.choices(languages, weights)[0]
    body = []
    for _ in range(lines):
        w, w2 = rng.choice(WORDS), rng.choice(WORDS)
        body.append(rng.choice(CODE_LINES[language]).format(w=w, w2=w2, W=w.capitalize()))
    return [f"```{language}", *body, "```", ""]


def render_page(rng, i, plans, code_factor):
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
    target = from_deciles(rng, PAGE_BYTES)
    blocks = rng.choice(BLOCKS_PER_PAGE) * code_factor
    headings = me["headings"]
    links = LINKS_PER_PAGE
    size = sum(len(line) + 1 for line in lines)
    for j, heading in enumerate(headings):
        level = "##" if j == 0 or rng.random() < 0.6 else "###"
        section = [f"{level} {heading}", ""]
        # The prose share of the page, spread over its sections.
        while sum(len(line) + 1 for line in section) < (target - size) / max(1, len(headings) - j) * 0.9:
            paragraph = sentence(rng, 25) + " " + sentence(rng, 15)
            for _ in range(2):
                if links and rng.random() < 0.8:
                    links -= 1
                    other = plans[rng.randrange(len(plans))]
                    anchor = rng.choice(other["headings"])
                    paragraph += f" See [{other['title']}](/manual/{other['slug']}.html#{heading_id(anchor)})."
            section += [paragraph, ""]
            if rng.random() < 0.2:
                section += [f"- {sentence(rng, 6)}" for _ in range(rng.randint(2, 5))] + [""]
            if rng.random() < 0.1:
                section += ["| Name | Value | Notes |", "|---|---|---|"]
                section += [f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} | {sentence(rng, 4)} |"
                            for _ in range(3)] + [""]
        # The page's code blocks, shared among its sections.
        for _ in range(blocks // len(headings) + (1 if j < blocks % len(headings) else 0)):
            section += code_block(rng, from_deciles(rng, BLOCK_LINES))
        if j == 0:
            section += [f"Back to [the start of this page](#{heading_id(headings[0])}).", ""]
        lines += section
        size += sum(len(line) + 1 for line in section)
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--code-heavy", action="store_true",
                        help="twice the code blocks of the GOV.UK sample's shape")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    manual = os.path.join(args.out, "source", "manual")
    shutil.rmtree(os.path.join(args.out, "source"), ignore_errors=True)
    os.makedirs(manual)
    plans = page_plan(rng, args.pages)
    for i, plan in enumerate(plans):
        with open(os.path.join(manual, plan["slug"] + ".html.md"), "w", encoding="utf-8") as f:
            f.write(render_page(rng, i, plans, 2 if args.code_heavy else 1))
    print(f"wrote {args.pages} pages to {manual}")


if __name__ == "__main__":
    main()
