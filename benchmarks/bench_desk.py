"""Benchmark the web desk: a decision's HTTP request to its commit, and the article page's render.

1. Decisions: the desk served by uvicorn on loopback, a logged-in pharmacist approves `--decisions`
   claims one request each (POST -> rules checked -> ledger committed on the draft branch -> 303);
   the median request time, against the median of a bare `git commit` of the same ledger file in a
   scratch repository (the floor any recorded decision pays). Target: median <= 0.5 s.
2. Article page: GET of a draft with `--claims` claims (the whole article rendered with every claim
   and term marked, one card per claim with its needs and forms), against the bare Markdown render of
   the same article with the same renderer. Target: <= 0.3 s. The first load parses the ledger; later
   loads of an unchanged ledger reuse the parse (the median of 7 loads).

Run: `.venv/bin/python benchmarks/bench_desk.py [--decisions 50] [--claims 150]`.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROSTER = """\
people:
  - {id: wendy-writer, name: Wendy Writer, email: wendy@example.org, roles: [writer]}
  - {id: pat-pharmacist, name: Pat Pharmacist, email: pat@example.org, roles: [pharmacist],
     verified_until: 2099-12-31}
"""
PASSWORD = "pat-pharmacist-secret"
SLUG = "big-draft"


def draft_text(claims: int) -> tuple[str, list[str]]:
    """An article whose every sentence makes one claim (a dose), in sections of 10 sentences."""
    sentences = [f"Adults may take {100 + n} mg of drug number {n} each day." for n in range(claims)]
    sections = []
    for start in range(0, claims, 10):
        chunk = sentences[start : start + 10]
        paragraphs = "\n\n".join(" ".join(chunk[i : i + 5]) for i in range(0, len(chunk), 5))
        sections.append(f"## Treatment part {start // 10 + 1}\n\n{paragraphs}\n")
    text = f"---\ntitle: Big draft\nslug: {SLUG}\nauthor: wendy-writer\n---\n\n" + "\n".join(sections)
    return text, sentences


def service_key(directory: Path) -> Path | None:
    """The desk's service key (ssh-keygen) when this build signs decisions (issue 10), else None."""
    import importlib.util

    if importlib.util.find_spec("content_repo.signing") is None:
        return None
    key = directory / "web-desk"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "web-desk", "-f", str(key)], check=True
    )
    return key


def roster_text(key: Path | None) -> str:
    """The roster, with the desk as a service signer when it signs."""
    if key is None:
        return ROSTER
    public = key.with_suffix(".pub").read_text(encoding="utf-8").strip()
    return (
        ROSTER + "services:\n  - {id: web-desk, name: Editorial web desk, email: desk@example.org, "
        f"keys: [{{key: '{public}', valid_from: 2026-01-01}}]}}\n"
    )


def make_repo(path: Path, claims: int, key: Path | None = None) -> None:
    """A content repository with the roster and the big draft submitted (claims built by the desk)."""
    from content_repo import ContentRepo, Identity
    from reviewers.desk import make_submission, open_ledger
    from reviewers.flags import Flag, FlagCategory
    from reviewers.policy import load_policy
    from validators.parser import parse_article

    text, sentences = draft_text(claims)
    article = parse_article(text, f"articles/{SLUG}.md")
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
    submission = make_submission(article, [], flags)
    ledger = open_ledger(submission, None, datetime.now(UTC), load_policy(None), "wendy-writer")
    writer = Identity(name="Wendy Writer", email="wendy@example.org")
    with ContentRepo.init(path) as repo:
        repo.write_path("roster.yaml", roster_text(key), writer, message="Roster")
        repo.save_draft(article, writer, ledger_text=ledger.to_yaml(), message=f"Submit {SLUG}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, name
    return found.group(1)


def git_commit_floor(ledger_text: str, runs: int) -> list[float]:
    """Timings of a bare `git add` + `git commit` of a ledger-sized file in a scratch repository."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
        subprocess.run(["git", "init", "-q", tmp], check=True, env=env)
        identity = ["-c", "user.name=Bench", "-c", "user.email=bench@example.org"]
        ledger = Path(tmp) / "ledger.yaml"
        for n in range(runs):
            ledger.write_text(ledger_text + f"# {n}\n", encoding="utf-8")
            start = time.perf_counter()
            subprocess.run(["git", "-C", tmp, "add", "ledger.yaml"], check=True, env=env)
            subprocess.run(
                ["git", "-C", tmp, *identity, "commit", "-q", "-m", f"decision {n}"], check=True, env=env
            )
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    """Run both benchmarks and print the medians with their baselines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--decisions", type=int, default=50)
    parser.add_argument("--claims", type=int, default=150)
    args = parser.parse_args()
    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    os.environ.pop("PREFECT_API_URL", None)  # no API: decisions are recorded without events

    import httpx
    import uvicorn

    from flows.context import open_repo
    from flows.web.accounts import AccountStore
    from flows.web.app import create_app
    from flows.web.config import DeskConfig
    from flows.web.render import render_markdown

    claims = max(args.claims, args.decisions)
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "content"
        key = service_key(Path(tmp))
        make_repo(repo, claims, key)
        config = DeskConfig(repo=repo, data_dir=Path(tmp) / "desk", secure_cookies=False, signer=key)
        AccountStore(config.accounts_path).add("pat-pharmacist", PASSWORD, datetime.now(UTC))
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="error")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as client:
                login = client.get("/login")
                client.post(
                    "/login",
                    data={
                        "csrf": field(login.text, "csrf"),
                        "account": "pat-pharmacist",
                        "password": PASSWORD,
                    },
                )
                # -- the article page ------------------------------------------------------------
                client.get(f"/drafts/{SLUG}")  # warm-up: imports, templates compiled
                page_times = []
                for _ in range(7):
                    start = time.perf_counter()
                    page = client.get(f"/drafts/{SLUG}")
                    page_times.append(time.perf_counter() - start)
                    assert page.status_code == 200, page.text[:300]
                keys = re.findall(r'<section class="claim-card[^"]*" id="c-([0-9a-f]{16})"', page.text)
                assert len(keys) == claims, len(keys)
                with open_repo(path=repo) as content:
                    text = content.read_draft(SLUG)[0]
                body = text.split("---\n", 2)[2]
                markdown_times = []
                for _ in range(7):
                    start = time.perf_counter()
                    render_markdown(body)
                    markdown_times.append(time.perf_counter() - start)
                # -- decisions ---------------------------------------------------------------------
                csrf, content_hash = field(page.text, "csrf"), field(page.text, "content_hash")
                decision_times, changed_page_times = [], []
                for n, key in enumerate(keys[: args.decisions]):
                    form = {"csrf": csrf, "content_hash": content_hash, "claim": key, "verdict": "approve"}
                    start = time.perf_counter()
                    response = client.post(f"/drafts/{SLUG}/decide", data=form)
                    decision_times.append(time.perf_counter() - start)
                    assert response.status_code == 303, response.text[:500]
                    if n % 5 == 4:  # the page right after a decision: its new ledger is parsed
                        start = time.perf_counter()
                        assert client.get(f"/drafts/{SLUG}").status_code == 200
                        changed_page_times.append(time.perf_counter() - start)
                with open_repo(path=repo) as content:
                    ledger_text = content.read_draft(SLUG)[1] or ""
                    history = content.history(SLUG)
                assert len(history) >= args.decisions + 1
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    floor = git_commit_floor(ledger_text, args.decisions)
    signing = "signed by the desk's service key" if config.signer else "unsigned (this build cannot sign)"
    decision = statistics.median(decision_times)
    bare = statistics.median(floor)
    page_median = statistics.median(page_times)
    md = statistics.median(markdown_times)
    print(f"decisions: {args.decisions} approvals over HTTP on a {claims}-claim draft, {signing}")
    print(f"  median request -> commit      {decision * 1000:8.1f} ms   (target <= 500 ms)")
    p90 = sorted(decision_times)[int(0.9 * len(decision_times))]
    print(f"  p90                           {p90 * 1000:8.1f} ms")
    print(f"  bare git add+commit (median)  {bare * 1000:8.1f} ms   ratio {decision / bare:5.2f}")
    print(f"article page: {claims} claims, {len(page.text) / 1024:.0f} KiB of HTML")
    changed = statistics.median(changed_page_times)
    print(f"  median GET after a decision   {changed * 1000:8.1f} ms   (new ledger parsed; target <= 300 ms)")
    print(f"  median GET, ledger unchanged  {page_median * 1000:8.1f} ms   (target <= 300 ms)")
    ratios = f"ratios {changed / md:5.1f}, {page_median / md:5.1f}"
    print(f"  bare markdown render (median) {md * 1000:8.1f} ms   {ratios}")
    print(f"  (python {sys.version.split()[0]}; medians of 7 page loads, {args.decisions} decisions)")


if __name__ == "__main__":
    main()
