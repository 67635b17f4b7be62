"""The pieces under the hostile-input suite: the strict YAML reader, the cost limits, the text
normalization the flagger reads, and SP04 (a writer's suppression of an error)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from validators.datafile import StrictModel, load_model, load_yaml
from validators.errors import ConfigError, InputError
from validators.limits import MAX_LINES, MAX_RUN, defuse, scan
from validators.text import normalize_for_flagging, normalize_with_offsets


class Person(StrictModel):
    id: str
    roles: tuple[str, ...] = ()


class Roster(StrictModel):
    people: list[Person]


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("a: &x 1\nb: *x\n", "E009", 1),
        ("a: 1\nb: !!python/object/apply:os.system ['true']\n", "E016", 2),
        ("a: 1\n<<: {b: 2}\n", "E016", 2),
        ("a: " + "[" * 1000 + "]" * 1000 + "\n", "E014", 1),
        ("a: " + "[" * 20_000 + "]" * 20_000 + "\n", "E014", 1),
        ("a:\n  b: 2026-02-30\n", "E015", 2),
        ("a: 2026-01-01T10:00:00+25:00\n", "E015", 1),
        ("a: 0000-06-01\n", "E015", 1),
        ("a: 1\nb: 2\na: 3\n", "E017", 3),
        ("a: [1, 2\nb: 3\n", "E008", 2),
    ],
)
def test_the_strict_reader_refuses_with_one_line(text: str, code: str, line: int) -> None:
    with pytest.raises(InputError) as caught:
        load_yaml(text, "data.yaml")
    assert (caught.value.code, caught.value.line) == (code, line)
    assert caught.value.format().startswith(f"data.yaml:{line}: error {code} ")
    assert "\n" not in caught.value.format()


def test_the_reader_reports_duplicates_when_asked_and_counts_lines_from_first_line() -> None:
    document = load_yaml("title: a\nslug: b\ntitle: c\n", "x.md", first_line=2, duplicates="report")
    assert document.data == {"title": "c", "slug": "b"}
    assert document.duplicate_keys == [("title", 4)]
    assert document.key_lines() == {"title": 2, "slug": 3}


def test_the_python_and_libyaml_parsers_refuse_the_same_way() -> None:
    for fast in (True, False):
        with pytest.raises(InputError, match="E015"):
            load_yaml("when: 2026-02-30\n", "x.yaml", fast=fast)
        assert load_yaml("when: 2026-02-28\n", "x.yaml", fast=fast).data["when"].day == 28


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "people:\n- id: a\n  roles: [x]\n- id: b\n  role: [y]\n",
            "roster.yaml:4: error E013 configuration error: people[1]: unknown key 'role' "
            "(allowed: id, roles)",
        ),
        (
            "people:\n- id: a\n  id: b\n",
            "roster.yaml:3: error E013 configuration error: the key 'id' is given twice "
            "(hint: keep one of the two)",
        ),
        (
            "people: " + "[" * 50 + "]" * 50 + "\n",
            "roster.yaml:1: error E013 configuration error: the YAML is nested more than 32 levels deep "
            "(hint: flatten the data; nothing here needs more)",
        ),
        (
            "people: &p []\nmore: *p\n",
            "roster.yaml:1: error E013 configuration error: YAML anchors and aliases are not allowed "
            "(hint: write the value out in full)",
        ),
        (
            "people: [\n",
            "roster.yaml:2: error E013 configuration error: not valid YAML: "
            "did not find expected node content (hint: check indentation, colons and quotes on that line)",
        ),
    ],
)
def test_data_files_read_through_load_model_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_model(Roster, text, "roster.yaml")
    assert str(caught.value) == message


def test_load_model_reads_a_good_file() -> None:
    roster = load_model(Roster, "people:\n- id: a\n  roles: [physician]\n", "roster.yaml")
    assert roster == Roster(people=[Person(id="a", roles=("physician",))])
    assert isinstance(roster, BaseModel)


def test_reviewers_datafile_is_the_same_reader() -> None:
    import reviewers.datafile
    import validators.datafile

    assert reviewers.datafile.load_model is validators.datafile.load_model
    assert reviewers.datafile.StrictModel is validators.datafile.StrictModel


def test_defuse_keeps_length_and_lines_and_leaves_normal_text_alone() -> None:
    normal = "Rest (and fluids) help... really?! See [the guide](https://x.org).\n| a | b |\n|---|---|\n"
    assert scan(normal) == []
    assert defuse(normal) is normal
    hostile = "Line one.\n" + "(" * 500 + " and words\n"
    (excess,) = scan(hostile)
    assert (excess.kind, excess.line, excess.column) == ("run", 2, 1)
    assert str(MAX_RUN) in excess.message
    safe = defuse(hostile)
    assert len(safe) == len(hostile)
    assert safe == "Line one.\n" + " " * 500 + " and words\n"


def test_the_markup_and_line_budgets_name_where_they_run_out() -> None:
    flood = "Text.\n" + "[a](" * 12_000 + "\n"
    kinds = {e.kind: e.line for e in scan(flood)}
    assert kinds == {"markup": 2}
    assert defuse(flood).count("[") == 10_000  # the first 30,000 symbols (10,000 "[a](") are kept
    lines = "x\n" * (MAX_LINES + 5)
    (excess,) = scan(lines)
    assert (excess.kind, excess.line) == ("lines", MAX_LINES + 1)
    assert defuse(lines).count("\n") == MAX_LINES


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("aspi&#114;in", "aspirin"),
        ("aspi&#x72;in", "aspirin"),
        ("aspi\u200brin", "aspirin"),
        ("aspi\u00adrin", "aspirin"),
        ("aspirin\U000e0031", "aspirin"),
        ("\uff41\uff53\uff50\uff49\uff52\uff49\uff4e", "aspirin"),
        ("\ufb01rst", "first"),
        ("cafe\u0301", "caf\u00e9"),
        ("5 &micro;g &amp; more", "5 \u03bcg & more"),
        ("plain text", "plain text"),
    ],
)
def test_normalize_for_flagging(text: str, normalized: str) -> None:
    assert normalize_for_flagging(text) == normalized


def test_normalized_offsets_point_into_the_source() -> None:
    text = "Give aspi&#114;in\u200b now"
    normalized, offsets = normalize_with_offsets(text)
    assert normalized == "Give aspirin now"
    assert len(offsets) == len(normalized)
    start = normalized.index("aspirin")
    assert text[offsets[start] :].startswith("aspi&#114;in")
    assert text[offsets[start + 4]] == "&"  # the entity's 'r' comes from the '&' that starts it
    assert text[offsets[normalized.index("now")] :] == "now"
