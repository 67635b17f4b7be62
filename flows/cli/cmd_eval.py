"""`editorial eval`: score the term flagger on the annotated corpora in ../shared/eval."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import typer

from flows.cli.app import Exit, app

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_EVAL_DIR = REPO_ROOT.parent / "shared" / "eval"


@app.command("eval")
def eval_command(
    eval_dir: Path = typer.Option(DEFAULT_EVAL_DIR, "--eval-dir", help="Folder of the evaluation corpora."),
    corpus: list[str] = typer.Option(
        [], "--corpus", help="Score only these corpora (repeatable); default: all present."
    ),
    output_format: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Score the medical-term flagger (strict-span and overlap P/R/F1 per label) and print a table."""
    from flows.settings import get_settings
    from reviewers.evaluate import CORPORA, EMERGENCY, evaluate_corpus, read_corpus
    from reviewers.flagger import load_flagger
    from validators.errors import EditorialError

    if output_format not in ("table", "json"):
        typer.echo(f"error: --format must be 'table' or 'json', not '{output_format}'", err=True)
        raise typer.Exit(Exit.USAGE)
    known = {spec.name: spec for spec in CORPORA}
    unknown = [name for name in corpus if name not in known]
    if unknown:
        typer.echo(f"error: unknown corpus '{unknown[0]}' (corpora: {', '.join(known)})", err=True)
        raise typer.Exit(Exit.USAGE)
    specs = [known[name] for name in corpus] if corpus else list(CORPORA)
    present = [spec for spec in specs if (eval_dir / spec.path).exists()]
    if not present:
        typer.echo(f"error: {eval_dir}: no evaluation corpus found (hint: pass --eval-dir)", err=True)
        raise typer.Exit(Exit.USAGE)

    settings = get_settings()
    try:
        flagger = load_flagger(settings.flagger_config, settings.cache_dir)
    except EditorialError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(Exit.USAGE) from exc

    def find_many(documents: Any) -> Any:
        for per_text in flagger.find_many(documents):
            yield [
                [
                    span
                    for m in matches
                    for span in ((m.start, m.end, m.category.value), (m.start, m.end, EMERGENCY))
                    if span[2] != EMERGENCY or m.emergency
                ]
                for matches in per_text
            ]

    approval = {category.value for category in flagger.config.needs_approval}

    rows: list[dict[str, Any]] = []
    began = time.perf_counter()
    for spec in present:
        documents = read_corpus(spec, eval_dir)
        for label, modes in evaluate_corpus(spec, documents, find_many, approval.__contains__).items():
            for mode, result in modes.items():
                rows.append(
                    {
                        "corpus": spec.name,
                        "label": label,
                        "mode": mode,
                        "precision": round(result.precision, 4),
                        "recall": round(result.recall, 4),
                        "f1": round(result.f1, 4),
                        "true_positives": result.true_positives,
                        "false_positives": result.false_positives,
                        "false_negatives": result.false_negatives,
                    }
                )
    about = {
        "lexicon_entries": flagger.info.entries,
        "lexicon_keys": flagger.info.keys,
        "patterns": flagger.info.patterns,
        "hpo_version": flagger.hpo_version(),
        "hpo_acknowledgement": flagger.hpo_acknowledgement(),
        "seconds": round(time.perf_counter() - began, 2),
    }
    if output_format == "json":
        json.dump({"scores": rows, "flagger": about}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    typer.echo(format_table(rows))
    typer.echo("")
    typer.echo(
        f"lexicon: {about['lexicon_entries']} entries, {about['lexicon_keys']} spellings, "
        f"{about['patterns']} patterns; scored in {about['seconds']} s"
    )
    typer.echo(
        "label mapping: Chemical <- drug + chemical; Disease <- condition + symptom (NCBI: condition);"
    )
    typer.echo("               DDI drug, brand <- drug; DDI group <- drug_class")
    typer.echo(
        "consumer-dev, safety-dev: each category itself ('unsure' spans neither required nor penalised);"
    )
    typer.echo("               approval <- every flag needing approval; emergency <- emergency directives")
    if about["hpo_acknowledgement"]:
        typer.echo(str(about["hpo_acknowledgement"]))


def format_table(rows: list[dict[str, Any]]) -> str:
    """A fixed-width table: corpus, label, mode, P, R, F1 and the counts."""
    header = (
        f"{'corpus':<18} {'label':<13} {'mode':<8} {'P':>6} {'R':>6} {'F1':>6} {'TP':>6} {'FP':>6} {'FN':>6}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row['corpus']:<18} {row['label']:<13} {row['mode']:<8} "
            f"{row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f} "
            f"{row['true_positives']:>6} {row['false_positives']:>6} {row['false_negatives']:>6}"
        )
    return "\n".join(lines)
