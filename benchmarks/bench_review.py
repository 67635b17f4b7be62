"""Benchmark clinician review: ledger work on a large draft, and `editorial queue` over many drafts.

1. Ledger: open (with carry-over from a previous version), decide every claim in one call,
   `to_yaml` and `from_yaml`, on a draft with `--flags` claims (one flag each); against the bare YAML
   floor measured in the same run (`yaml.dump` / `yaml.load` of the same data with the same libyaml
   loader, no validation).
2. Queue: `editorial queue --reviewer` in-process over `--drafts` submitted drafts in a real content
   repository; against reading those drafts' texts and ledgers (`ContentRepo.read_draft`), the I/O floor.

Run: `.venv/bin/python benchmarks/bench_review.py [--flags 1000] [--drafts 50]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import yaml

from reviewers.desk import decide, make_submission, open_ledger
from reviewers.flags import Flag, FlagCategory
from reviewers.ledger import DecisionInput, ReviewLedger, Verdict
from reviewers.policy import load_policy
from reviewers.roster import load_roster
from validators.models import Article
from validators.parser import parse_article

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ROSTER = """\
people:
  - {id: wendy-writer, name: Wendy Writer, email: wendy@example.org, roles: [writer]}
  - {id: pat-pharmacist, name: Pat Pharmacist, email: pat@example.org, roles: [pharmacist],
     verified_until: 2099-12-31}
"""


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of `runs` timings of `work`, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def article_with_flags(count: int, slug: str = "big-draft") -> tuple[Article, list[Flag]]:
    """A draft whose every sentence carries one dosage flag."""
    sentences = [f"Adults may take {100 + n} mg of drug number {n} each day." for n in range(count)]
    body = "\n\n".join(" ".join(sentences[i : i + 5]) for i in range(0, count, 5))
    text = f"---\ntitle: Big draft\nslug: {slug}\nauthor: wendy-writer\n---\n\n## Treatment\n\n{body}\n"
    article = parse_article(text, f"articles/{slug}.md")
    flags = []
    for n, sentence in enumerate(sentences):
        term = f"{100 + n} mg"
        start = text.index(sentence) + sentence.index(term)
        line, column = article.position(start)
        flags.append(
            Flag(
                term=term,
                normalized=term,
                category=FlagCategory.DOSAGE,
                sentence=sentence,
                start=start,
                end=start + len(term),
                line=line,
                column=column,
                source="pattern",
                needs_approval=True,
            )
        )
    return article, flags


def bench_ledger(count: int) -> None:
    """Ledger operations on one draft with `count` flags, against the bare YAML floor."""
    article, flags = article_with_flags(count)
    roster, policy = load_roster(ROSTER), load_policy(None)
    submission = make_submission(article, [], flags)
    first = open_ledger(submission, None, NOW, policy, "wendy-writer")
    decisions = [DecisionInput(key=c.key, verdict=Verdict.APPROVE) for c in first.claims]

    def approve_all() -> ReviewLedger:
        return decide(
            first, decisions, "pat-pharmacist", roster, policy, NOW, text_hash=first.content_hash
        ).after

    approved = approve_all()
    text = approved.to_yaml()
    data = approved.model_dump(mode="json", exclude_none=True)

    t_open = best_of(5, lambda: open_ledger(submission, approved, NOW, policy, "wendy-writer"))
    t_apply = best_of(5, approve_all)
    t_dump = best_of(5, approved.to_yaml)
    t_load = best_of(5, lambda: ReviewLedger.from_yaml(text))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    t_dump_floor = best_of(
        5, lambda: yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1000)
    )
    t_load_floor = best_of(5, lambda: yaml.load(text, Loader=loader))
    print(f"ledger with {count} claims ({len(text) / 1024:.0f} KiB of YAML):")
    print(f"  open_ledger with carry-over  {t_open * 1000:8.1f} ms")
    print(f"  decide ({count} claims)       {t_apply * 1000:8.1f} ms")
    print(
        f"  to_yaml                      {t_dump * 1000:8.1f} ms"
        f"   ratio to bare yaml.dump {t_dump / t_dump_floor:5.2f}"
    )
    print(
        f"  from_yaml (strict)           {t_load * 1000:8.1f} ms"
        f"   ratio to bare yaml.load {t_load / t_load_floor:5.2f}"
    )


def bench_queue(drafts: int) -> None:
    """`editorial queue` over `drafts` drafts, against reading them."""
    from typer.testing import CliRunner

    import flows.cli.cmd_review  # noqa: F401  (registers the commands)
    from content_repo import ContentRepo, Identity
    from flows.cli.app import app

    policy = load_policy(None)
    writer = Identity(name="Wendy Writer", email="wendy@example.org")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "content"
        with ContentRepo.init(path) as repo:
            repo.write_path("roster.yaml", ROSTER, writer, message="Roster")
            for n in range(drafts):
                article, flags = article_with_flags(20, slug=f"draft-{n:03d}")
                ledger = open_ledger(make_submission(article, [], flags), None, NOW, policy, "wendy-writer")
                repo.save_draft(article, writer, ledger_text=ledger.to_yaml())

        def floor() -> None:
            with ContentRepo.open(path) as repo:
                for info in repo.list_drafts():
                    repo.read_draft(info.slug)

        def queue() -> None:
            result = CliRunner().invoke(app, ["queue", "--reviewer", "pat-pharmacist", "--repo", str(path)])
            assert result.exit_code == 0, result.output
            assert f"{drafts * 20} claim(s) in {drafts} draft(s)" in result.output

        t_floor = best_of(3, floor)
        t_queue = best_of(3, queue)
        print(f"queue over {drafts} drafts x 20 claims:")
        print(
            f"  editorial queue              {t_queue * 1000:8.1f} ms"
            f"   ({t_queue / drafts * 1000:.1f} ms per draft)"
        )
        print(f"  read every draft (floor)     {t_floor * 1000:8.1f} ms   ratio {t_queue / t_floor:5.2f}")
        print(f"  (best of 3 runs; python {sys.version.split()[0]})")


def main() -> None:
    """Run both benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flags", type=int, default=1000)
    parser.add_argument("--drafts", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    bench_ledger(args.flags)
    bench_queue(args.drafts)


if __name__ == "__main__":
    main()
