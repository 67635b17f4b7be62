"""The hostile-input catalogue: each case is a file (bytes, or a special file) and its expected outcome.

`tests/test_hostile.py` writes them to a temp directory and runs them through `editorial check` (and
`editorial import` for the `IMPORT_CASES`): every file answers within 10 s, in one line per problem,
with no traceback. An outcome is data:

- `error` (with `line` when it names one): the file is unusable input, exit 2, one line
  `path[:line]: error CODE ...`;
- `codes`: the file is checked and these finding codes are among its findings (exit 1 when one of
  them is an error); `codes=()` with `exit=0`: checked with no error at all.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

STANDARD_BODY = """\
## What is it?

A test condition is a made-up illness. It helps us test the checks.

## Signs & symptoms

Symptoms may include a rash and a mild fever.

## Diagnosis

A doctor looks at the skin and asks about the fever.

## Treatment

Rest and fluids usually help. The rash goes away in a week.

This is not a substitute for professional medical advice. Please consult with your physician before
making any medical decision.
"""
PARAGRAPH = "A test condition is a made-up illness. It helps us test the checks."
PARAGRAPH_LINE = 11
"""File line of PARAGRAPH in `article()` (8 front matter lines, then the body's third line)."""


@dataclass(frozen=True)
class Expect:
    """A file's expected outcome through `editorial check` (see the module docstring)."""

    exit: int
    error: str | None = None
    line: int | None = None
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    """One hostile file: its name (the slug for checked articles), its bytes and its outcome."""

    name: str
    data: bytes
    expect: Expect
    note: str = ""

    @property
    def file_name(self) -> str:
        """The file's name in the test directory."""
        return self.name if "." in self.name else f"{self.name}.md"


def front_matter(slug: str, extra: str = "", *, title: str = "Test condition") -> str:
    """The standard front matter (8 lines) with `extra` YAML lines before the closing fence."""
    return (
        f"---\ntitle: {title}\nslug: {slug}\ntype: condition\nauthor: wendy-writer\n"
        f"sources:\n- 'Merck Manual: Test condition'\n{extra}---\n"
    )


def article(
    slug: str,
    *,
    extra: str = "",
    title: str = "Test condition",
    paragraph: str | None = None,
    body: str | None = None,
    append: str = "",
) -> str:
    """A clean condition article, with its third body paragraph or whole body replaced."""
    text = body if body is not None else STANDARD_BODY
    if paragraph is not None:
        text = text.replace(PARAGRAPH, paragraph)
    return front_matter(slug, extra, title=title) + text + append


def ok(name: str, text: str, note: str = "") -> Case:
    """A checked file with no error finding."""
    return Case(name, text.encode("utf-8"), Expect(0), note)


def finds(name: str, text: str | bytes, *codes: str, exit: int = 1, note: str = "") -> Case:
    """A checked file whose findings include `codes`."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return Case(name, data, Expect(exit, codes=codes), note)


def refused(name: str, data: str | bytes, error: str, line: int | None = None, note: str = "") -> Case:
    """An unusable file: one line with `error` (at `line`), exit 2."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return Case(name, raw, Expect(2, error=error, line=line), note)


def _deep_flow(slug: str, depth: int) -> str:
    return front_matter(slug, f"notes: {'[' * depth}{']' * depth}\n") + STANDARD_BODY


def _deep_block(slug: str, depth: int) -> str:
    lines = "".join(" " * level + "- \n" for level in range(1, depth))
    return front_matter(slug, f"notes:\n{lines}") + STANDARD_BODY


MIB = 1024 * 1024
_PROSE = "Rest and fluids usually help, and the rash goes away in a week or two. "


def _sized(slug: str, size: int) -> str:
    head = article(slug)
    filler = (_PROSE * 12 + "\n\n") * (size // (len(_PROSE) * 12 + 2) + 1)
    return (head + "\n" + filler)[:size]


ENCODING_CASES = [
    refused("empty", b"", "E002"),
    refused("blank", b" \n\t\n\n", "E002"),
    refused("nul-at-start", b"\x00" + article("nul-at-start").encode(), "E003"),
    refused("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "E003"),
    refused("utf16-le-bom", codecs.BOM_UTF16_LE + article("utf16-le-bom").encode("utf-16-le"), "E003"),
    refused("utf16-be-bom", codecs.BOM_UTF16_BE + article("utf16-be-bom").encode("utf-16-be"), "E003"),
    refused("utf16-no-bom", article("utf16-no-bom").encode("utf-16-le"), "E003"),
    refused("utf32", article("utf32").encode("utf-32"), "E003"),
    refused("latin1", article("latin1", title="Café au lait spots").encode("latin-1"), "E004", 2),
    refused("invalid-utf8-body", article("invalid-utf8-body").encode() + b"Bad \xff byte.\n", "E004", 27),
    refused(
        "overlong-utf8", article("overlong-utf8", paragraph="A \xc0\xaf slash.").encode("latin-1"), "E004", 11
    ),
    refused("utf8-surrogate", article("utf8-surrogate").encode() + b"\xed\xa0\x80\n", "E004", 27),
    refused("truncated-utf8", article("truncated-utf8").encode() + b"caf\xc3", "E004", 27),
    ok("utf8-bom", "\ufeff" + article("utf8-bom")),
    ok("crlf", article("crlf").replace("\n", "\r\n")),
    ok("cr-only", article("cr-only").replace("\n", "\r")),
    finds("nul-after-8k", article("nul-after-8k", append="\n" + "Rest well. " * 900 + "\x00\n"), "SF01"),
    finds("vertical-tab", article("vertical-tab", paragraph="A test\x0bcondition."), "SF01"),
    finds("c1-control", article("c1-control", paragraph="A test\x85condition."), "SF01"),
]

YAML_CASES = [
    refused("yaml-anchor", article("yaml-anchor", extra="aliases: &a [x]\n"), "E009", 8),
    refused(
        "yaml-alias",
        article("yaml-alias", extra="aliases: [*t]\n").replace("title:", "title: &t", 1),
        "E009",
        2,
    ),
    refused(
        "billion-laughs",
        "---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n---\n" + STANDARD_BODY,
        "E009",
        2,
    ),
    refused("merge-key", article("merge-key", extra="<<: {title: Other}\n"), "E016", 8),
    refused(
        "python-object",
        article("python-object", extra="x: !!python/object/apply:os.system ['touch /tmp/pwned']\n"),
        "E016",
        8,
    ),
    refused("python-name", article("python-name", extra="x: !!python/name:os.system\n"), "E016", 8),
    refused("yaml-binary", article("yaml-binary", extra="x: !!binary aGVsbG8=\n"), "E016", 8),
    refused("yaml-set", article("yaml-set", extra="x: !!set {a, b}\n"), "E016", 8),
    refused("local-tag", article("local-tag", extra="x: !shout hello\n"), "E016", 8),
    refused("explicit-str-tag", article("explicit-str-tag", extra="aliases: [!!str 12]\n"), "E016", 8),
    refused("deep-flow-1000", _deep_flow("deep-flow-1000", 1000), "E014", 8),
    refused("deep-flow-20000", _deep_flow("deep-flow-20000", 20000), "E014", 8),
    refused("deep-block-300", _deep_block("deep-block-300", 300), "E014", 40),
    refused("deep-block-1000", _deep_block("deep-block-1000", 1000), "E019", 1),
    refused(
        "deep-mapping",
        front_matter("deep-mapping", "n: " + "{a: " * 500 + "1" + "}" * 500 + "\n") + STANDARD_BODY,
        "E014",
        8,
    ),
    refused("impossible-date", article("impossible-date", extra="publish_after: 2026-02-30\n"), "E015", 8),
    refused(
        "impossible-offset",
        article("impossible-offset", extra="publish_after: 2026-03-01T09:00:00+25:00\n"),
        "E015",
        8,
    ),
    refused("year-zero", article("year-zero", extra="publish_after: 0000-01-01\n"), "E015", 8),
    refused("month-13", article("month-13", extra="last_reviewed: 2026-13-01\n"), "E015", 8),
    refused("huge-int", article("huge-int", extra=f"x: {'9' * 5000}\n"), "E008", 8),
    refused("front-matter-list", "---\n- a\n- b\n---\n" + STANDARD_BODY, "E010", 2),
    refused("front-matter-scalar", "---\njust text\n---\n" + STANDARD_BODY, "E010", 2),
    refused("tab-indent", article("tab-indent", extra="aliases:\n\t- x\n"), "E008", 9),
    refused("unclosed-quote", article("unclosed-quote", extra='x: "open\n'), "E008", 9),
    refused("no-front-matter", STANDARD_BODY, "E006", 1),
    refused("unclosed-front-matter", "---\ntitle: x\n" + STANDARD_BODY, "E007", 1),
    refused("yaml-directive", "---\n%YAML 1.1\n---\n" + STANDARD_BODY, "E008", 3),
    refused("complex-key", article("complex-key", extra="? [a, b]\n: c\n"), "E008", 8),
    finds("duplicate-key", article("duplicate-key", extra="title: Again\n"), "FM04"),
    refused("huge-title", article("huge-title", title="A" * 900_000), "E019", 1),
    finds("long-title", article("long-title", title="A" * 60_000), "FM01"),
    finds("unknown-key", article("unknown-key", extra="approved_by: dr-house\n"), "FM02"),
    finds("numeric-key", article("numeric-key", extra="1: one\n"), "FM02"),
    finds("null-title", article("null-title", title="null"), "FM01"),
    finds("stamped-by-writer", article("stamped-by-writer", extra="reviewed_by: [dr-house]\n"), "SL04"),
]

SLUG_CASES = [
    finds("slug-traversal", article("../../etc/passwd"), "SL01", "SL02"),
    finds("slug-dotdot", article(".."), "SL01", "SL02"),
    finds("slug-absolute", article("/etc/passwd"), "SL01", "SL02"),
    finds("slug-unicode", article("café"), "SL01", "SL02"),
    finds("slug-fullwidth", article("ｔｅｓｔ"), "SL01", "SL02"),
    finds("slug-upper", article("Test-Condition"), "SL01", "SL02"),
    finds("slug-null-byte", article("a\\0b").replace("slug: a\\0b", 'slug: "a\\0b"'), "SL01", "SL02"),
    finds("slug-newline", article("x").replace("slug: x", 'slug: "x\\ny"'), "SL01", "SL02"),
    finds("slug-mismatch", article("other-name"), "SL01"),
    ok("con", article("con"), note="Windows device names are plain names on the POSIX content repository"),
]

SIZE_CASES = [
    finds("at-the-cap", _sized("at-the-cap", MIB), "DS03"),
    refused("over-the-cap", _sized("over-the-cap", MIB + 1), "E005"),
    ok("one-long-line", article("one-long-line", paragraph="Rest well. " * 60_000)),
    finds("many-lines", article("many-lines", append="\n" + "Rest.\n" * 150_000), "SF08"),
    finds("many-headings", article("many-headings", append="\n" + "## More\n\nText.\n\n" * 20_000), "SF08"),
    finds(
        "nested-lists",
        article("nested-lists", append="\n" + "".join("  " * i + "- a\n" for i in range(400))),
        "DS03",
    ),
    ok("nested-quotes", article("nested-quotes", append="\n" + "> " * 5_000 + "deep\n")),
    finds("doubled-words", article("doubled-words", paragraph="the " * 200_000), "TY01", exit=0),
]

PATHOLOGICAL_CASES = [
    finds("parens-12k", article("parens-12k", paragraph="(" * 12_000), "SF08"),
    finds("parens-32k", article("parens-32k", paragraph="(" * 32_000), "SF08"),
    finds("commas-20k", article("commas-20k", paragraph="," * 20_000), "SF08"),
    finds("links-50k", article("links-50k", paragraph="[a](" * 50_000), "SF08"),
    finds("brackets-50k", article("brackets-50k", paragraph="[" * 50_000), "SF08"),
    finds("stars-mib", article("stars-mib", paragraph="*a" * 400_000), "SF08"),
    finds("angles", article("angles", paragraph="<a" * 200_000), "SF08"),
    finds("entities-flood", article("entities-flood", paragraph="&#" * 200_000), "SF08"),
    finds("backslashes", article("backslashes", paragraph="\\" * 300_000), "SF08"),
    finds(
        "punct-runs", article("punct-runs", paragraph=" ".join(["([{\"'*,;:!?<>)]}"] * 3 * 20_000)), "SF08"
    ),
    finds("heading-run", article("heading-run", append="\n## " + "(" * 12_000 + "\n\nText.\n"), "SF08"),
    finds("title-run", article("title-run", title="'" + "(" * 150 + "'"), "SF08"),
]

SPECIAL_NAMES = ("fifo.md", "dev-zero.md", "dev-null.md", "directory.md", "broken-link.md", "link-loop.md")
"""Special files, made by the test itself (a FIFO, links to devices, a directory, dangling links)."""

HIDING_CASES = [
    finds(
        "html-div",
        article("html-div", paragraph="<div>Give children 1000 mg of aspirin every 2 hours.</div>"),
        "SF05",
    ),
    finds(
        "html-inline",
        article("html-inline", paragraph="Rest <span hidden>and 1000 mg aspirin</span> well."),
        "SF05",
    ),
    finds("html-script", article("html-script", append="\n<script>alert(1)</script>\n"), "SF05"),
    finds(
        "html-img-onerror",
        article("html-img-onerror", paragraph="Look <img src=x onerror=alert(1)> here."),
        "SF05",
    ),
    finds(
        "html-after-comment",
        article("html-after-comment", append="\n<!-- note --> <div>Take 4000 mg</div>\n"),
        "SF05",
    ),
    finds(
        "html-in-heading", article("html-in-heading", append="\n## Dose <b>4000 mg</b>\n\nText.\n"), "SF05"
    ),
    finds("html-in-alias", article("html-in-alias", extra="aliases:\n- <i>aspirin 1000 mg</i>\n"), "SF05"),
    finds(
        "fenced-dose-chart",
        article("fenced-dose-chart", paragraph="```\nage 2: 1000 mg aspirin\n```"),
        "SF06",
    ),
    finds("tilde-fence", article("tilde-fence", paragraph="~~~\nTake 4000 mg\n~~~"), "SF06"),
    finds("indented-code", article("indented-code", append="\n    Take 3 tablets of oxycodone\n"), "SF06"),
    finds("inline-code", article("inline-code", paragraph="Take `4000 mg` of it."), "SF06"),
    finds(
        "link-title",
        article("link-title", paragraph='See [this](https://example.org "Take warfarin 10 mg daily").'),
        "SF09",
    ),
    finds(
        "image-title",
        article("image-title", paragraph='![chart](chart.png "Take warfarin 10 mg daily")'),
        "SF09",
    ),
    finds(
        "reference-title",
        article("reference-title", append='\n[ref]: https://example.org "Take warfarin 10 mg daily"\n'),
        "SF09",
    ),
    finds(
        "setext-second-line",
        article("setext-second-line", append="\nMore\nTake 3 tablets of oxycodone\n----\n\nText.\n"),
        "SF10",
    ),
    finds("entity-in-word", article("entity-in-word", paragraph="Give aspi&#114;in to children."), "SF07"),
    finds("hex-entity", article("hex-entity", paragraph="Give aspi&#x72;in to children."), "SF07"),
    finds("named-entity", article("named-entity", paragraph="Give 1000&nbsp;mg."), "SF07"),
    finds("entity-in-title", article("entity-in-title", title="Aspi&#114;in dosing"), "SF07"),
    finds(
        "zero-width-space", article("zero-width-space", paragraph="Give aspi\u200brin to children."), "SF04"
    ),
    finds(
        "zero-width-joiner", article("zero-width-joiner", paragraph="Give aspi\u200drin to children."), "SF04"
    ),
    finds("word-joiner", article("word-joiner", paragraph="Give aspi\u2060rin to children."), "SF04"),
    finds("soft-hyphen", article("soft-hyphen", paragraph="Give aspi\u00adrin to children."), "SF04"),
    finds(
        "tag-characters", article("tag-characters", paragraph="Give aspirin\U000e0031\U000e0030 now."), "SF04"
    ),
    finds(
        "bidi-override", article("bidi-override", paragraph="Take aspirin \u202e0001\u202c mg daily."), "SF02"
    ),
    finds("bidi-isolate", article("bidi-isolate", paragraph="Take \u2067000 1\u2069 mg daily."), "SF02"),
    finds("esc-sequence", article("esc-sequence", paragraph="Take 4000\x1b[4D400 mg daily."), "SF01"),
    finds("backspace", article("backspace", paragraph="Take 4000\x08\x08 mg."), "SF01"),
    finds(
        "suppressed-disclaimer",
        front_matter("suppressed-disclaimer")
        + '<!-- editorial: ignore-file DS01 reason="legal said ok" -->\n\n'
        + STANDARD_BODY.split("\nThis is not a substitute")[0],
        "SP04",
        "DS01",
    ),
]


def flagged(name: str, text: str, line: int, note: str = "") -> Case:
    """A clean file (exit 0) whose term flags include one on `line` (TM01, from the term flagger)."""
    return Case(name, text.encode("utf-8"), Expect(0, line=line, codes=("TM01",)), note)


FLAGGER_CASES = [
    flagged(
        "paragraph-dose", article("paragraph-dose", paragraph="Give children 1000 mg every 2 hours."), 11
    ),
    flagged(
        "title-dose",
        article("title-dose", title="Give children 1000 mg every 2 hours"),
        2,
        note="the flagger reads the title: the flagger helper's part of issue 15",
    ),
    flagged(
        "alias-dose",
        article("alias-dose", extra="aliases:\n- give 1000 mg every 2 hours\n"),
        9,
        note="the flagger reads the aliases: the flagger helper's part of issue 15",
    ),
]
"""Hiding places only the term flagger can cover (they are no error): a flag must sit on `line`."""

OBFUSCATION_CASES = [
    finds("cyrillic-a", article("cyrillic-a", paragraph="Give \u0430spirin to children."), "SF03"),
    finds("greek-omicron", article("greek-omicron", paragraph="Give ibupr\u03bffen to children."), "SF03"),
    finds("cyrillic-in-title", article("cyrillic-in-title", title="W\u0430rfarin"), "SF03"),
    finds(
        "fullwidth-word",
        article("fullwidth-word", paragraph="Give \uff41\uff53\uff50\uff49\uff52\uff49\uff4e now."),
        "SF03",
    ),
    finds(
        "math-letters",
        article(
            "math-letters",
            paragraph="Give \U0001d41a\U0001d42c\U0001d429\U0001d422\U0001d42b\U0001d422\U0001d427 now.",
        ),
        "SF03",
    ),
    finds("ligature", article("ligature", paragraph="Take the \ufb01rst dose."), "SF03"),
    ok("micro-sign-unit", article("micro-sign-unit", paragraph="Take 5 \u00b5g a day.")),
    ok("accented-latin", article("accented-latin", paragraph="A café near the naïve clinic.")),
    ok(
        "emoji-zwj",
        article("emoji-zwj", paragraph="A family \U0001f468\u200d\U0001f469\u200d\U0001f467 at the clinic."),
    ),
    finds("combining-overlay", article("combining-overlay", paragraph="Take 1\u0338000 mg."), "SF03"),
]

CHECK_CASES: list[Case] = [
    *ENCODING_CASES,
    *YAML_CASES,
    *SLUG_CASES,
    *SIZE_CASES,
    *PATHOLOGICAL_CASES,
    *HIDING_CASES,
    *OBFUSCATION_CASES,
    *FLAGGER_CASES,
]

IMPORT_CASES: list[Case] = [
    refused("page-empty.txt", b"", "E002"),
    refused("page-utf16.txt", "Asthma\n\nA page.\n".encode("utf-16"), "E003"),
    refused("page-invalid-utf8.txt", b"Asthma\n\nCaf\xe9\n", "E004", 3),
    refused("page-too-big.txt", b"Asthma\n\n" + b"word " * (MIB // 5 + 1), "E005"),
    Case("page-parens.txt", ("Asthma\n\n" + "(" * 12_000 + "\n").encode(), Expect(0)),
    Case("page-deep-brackets.txt", ("Asthma\n\n" + "[" * 50_000 + "\n").encode(), Expect(0)),
]
"""Pages for `editorial import`: `error` cases exit 2 with that one line; the others import (exit 0)."""
