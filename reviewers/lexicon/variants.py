"""Spelling variants of a term: plurals, British spellings, hyphenation; all pure functions on strings.

Every function takes and returns case-folded terms (see `normalize_term`). The flagger may import
these to normalize what it matches; the lexicon build uses them to expand every source.
"""

from __future__ import annotations

import re
from functools import lru_cache

from validators.text import normalize_key

# Plurals that do not follow the -s / -es / -ies rules (medical Latin and Greek, and a few English).
IRREGULAR_PLURALS: dict[str, str] = {
    "appendix": "appendices",
    "bacterium": "bacteria",
    "bronchus": "bronchi",
    "calculus": "calculi",
    "cervix": "cervices",
    "child": "children",
    "criterion": "criteria",
    "diagnosis": "diagnoses",
    "embolus": "emboli",
    "foot": "feet",
    "foramen": "foramina",
    "fungus": "fungi",
    "ganglion": "ganglia",
    "index": "indices",
    "larva": "larvae",
    "lumen": "lumina",
    "man": "men",
    "matrix": "matrices",
    "mouse": "mice",
    "nucleus": "nuclei",
    "ovum": "ova",
    "phenomenon": "phenomena",
    "septum": "septa",
    "stimulus": "stimuli",
    "testis": "testes",
    "thrombus": "thrombi",
    "tooth": "teeth",
    "vertebra": "vertebrae",
    "woman": "women",
}
# Words that have no plural of their own (mass nouns, already plural, or adjectives that end a term).
NO_PLURAL = frozenset(
    {
        "aids",
        "bacteria",
        "blood",
        "care",
        "data",
        "diabetes",
        "fauces",
        "feces",
        "herpes",
        "measles",
        "mumps",
        "rabies",
        "scabies",
        "series",
        "species",
        "syphilis",
        "teeth",
        "feet",
        "mellitus",
        "insipidus",
        "pox",
        "influenza",
        "arthritis",
        "hepatitis",
    }
)
_PLURAL_SUFFIX_IS = re.compile(r"(?<=[a-z])(osis|iasis|esis|ysis|itis|asis)$")
_ENDS_IN_S_SOUND = re.compile(r"(s|x|z|ch|sh)$")
_CONSONANT_Y = re.compile(r"[^aeiou]y$")
_LAST_WORD = re.compile(r"([a-z]+)$")


def normalize_term(text: str) -> str:
    """The matching form of a term: white space collapsed, quotes and dashes unified, case-folded."""
    return normalize_key(text)


def plural_of_word(word: str) -> str | None:
    """The plural of one lower-case English or medical word, or None when it has no distinct plural.

    >>> plural_of_word("biopsy"), plural_of_word("tumor"), plural_of_word("metastasis")
    ('biopsies', 'tumors', 'metastases')
    """
    if word in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[word]
    if word in NO_PLURAL or len(word) < 3 or not word.isalpha():
        return None
    if word.endswith(("itis", "ous", "osus", "ed", "less", "ful", "ish")):  # "arthritis", adjectives
        return None
    if word.endswith("sis") and _PLURAL_SUFFIX_IS.search(word):
        return word[:-2] + "es"  # metastasis -> metastases, diagnosis -> diagnoses
    if word.endswith(("ss", "us")) and len(word) > 3:
        return word + "es"  # abscess -> abscesses, virus -> viruses
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return None  # already plural ("x-rays", "statins")
    if _CONSONANT_Y.search(word):
        return word[:-1] + "ies"
    if _ENDS_IN_S_SOUND.search(word):
        return word + "es"
    return word + "s"


def pluralize(term: str) -> str | None:
    """The term with its last word made plural ("needle aspiration biopsy" -> "... biopsies"), or None."""
    match = _LAST_WORD.search(term)
    if match is None:
        return None
    plural = plural_of_word(match.group(1))
    if plural is None:
        return None
    return term[: match.start(1)] + plural


_SINGULAR_IRREGULAR = {plural: singular for singular, plural in IRREGULAR_PLURALS.items()}


def singular_of_word(word: str) -> str | None:
    """The singular of a plural lower-case word ("quinolones" -> "quinolone"), or None if not plural."""
    if word in _SINGULAR_IRREGULAR:
        return _SINGULAR_IRREGULAR[word]
    if len(word) < 4 or not word.isalpha() or word in NO_PLURAL or not word.endswith("s"):
        return None
    if word.endswith(("ss", "us", "is")):
        return None
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def singularize(term: str) -> str | None:
    """The term with its last word made singular ("macrolide antibiotics" -> "... antibiotic"), or None."""
    match = _LAST_WORD.search(term)
    if match is None:
        return None
    singular = singular_of_word(match.group(1))
    if singular is None:
        return None
    return term[: match.start(1)] + singular


# Head nouns that follow a drug-class adjective ("anticholinergic drugs", "antiemetic agents").
CLASS_HEAD_NOUNS = ("drug", "agent", "medication", "medicine")
_CLASS_HEADED = re.compile(
    r"\b(drugs?|agents?|medications?|medicines?|therapy|therapies|inhibitors?|blockers?)$"
)


def class_head_variants(term: str) -> set[str]:
    """A one-word drug class with a head noun: "antiemetic" -> "antiemetic drug", ... (longer names
    such as "macrolide antibiotics" already end in their head noun)."""
    if " " in term or _CLASS_HEADED.search(term) or not term or not term[-1].isalpha():
        return set()
    stem = singularize(term) or term
    return {f"{stem} {noun}" for noun in CLASS_HEAD_NOUNS}


# British spellings, applied per word. Stems match at the start of a word; suffix rules at its end.
_BRITISH_STEMS: tuple[tuple[str, str], ...] = (
    ("esophag", "oesophag"),
    ("edema", "oedema"),
    ("edemat", "oedemat"),
    ("estrogen", "oestrogen"),
    ("fetus", "foetus"),
    ("fetal", "foetal"),
    ("pediatric", "paediatric"),
    ("orthopedic", "orthopaedic"),
    ("gynecolog", "gynaecolog"),
    ("anesthe", "anaesthe"),
    ("cesarean", "caesarean"),
    ("celiac", "coeliac"),
    ("ischemi", "ischaemi"),
    ("tumor", "tumour"),
    ("humor", "humour"),
    ("behavior", "behaviour"),
    ("color", "colour"),
    ("odor", "odour"),
    ("leukocyt", "leucocyt"),
    ("hemat", "haemat"),
    ("hemo", "haemo"),
    ("hema", "haema"),
    ("hemangio", "haemangio"),
    ("hemorrh", "haemorrh"),
    ("hemophil", "haemophil"),
    ("hemoglobin", "haemoglobin"),
    ("hemolys", "haemolys"),
    ("hemolyt", "haemolyt"),
    ("hemoptys", "haemoptys"),
    ("hemorrhoid", "haemorrhoid"),
    ("pheochromocyt", "phaeochromocyt"),
    ("gynecomast", "gynaecomast"),
    ("cecum", "caecum"),
    ("cecal", "caecal"),
    ("etiolog", "aetiolog"),
    ("ameb", "amoeb"),
    ("feces", "faeces"),
    ("fecal", "faecal"),
    ("center", "centre"),
    ("fiber", "fibre"),
    ("liter", "litre"),
    ("milliliter", "millilitre"),
    ("aluminum", "aluminium"),
    ("sulfur", "sulphur"),
)
# Inner spellings: American -> British anywhere inside a word (after at least one letter).
_BRITISH_INNER: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=[a-z])(?<!a)emia"), "aemia"),  # anemia, leukemia, septicemia, hypoglycemia
    (
        re.compile(r"(?<=an|ch|yc|ur|uk|ic|ox|ir|er|ip|al|tr|lc)emic"),
        "aemic",
    ),  # anemic, ischemic; not systemic
    (re.compile(r"(?<=[a-z])rrhea"), "rrhoea"),  # diarrhea, gonorrhea, amenorrhea
    (re.compile(r"(?<=[a-z])pnea"), "pnoea"),  # apnea, dyspnea
    (re.compile(r"(?<=[a-z])(?<!a)esthe"), "aesthe"),  # paresthesia, anesthesia
    (re.compile(r"(?<=[a-z])(?<!a)edema"), "oedema"),  # lymphedema, myxedema
    (re.compile(r"(?<=[a-z])hemorrh"), "haemorrh"),  # subarachnoid "...hemorrhage" compounds
    (re.compile(r"(?<=[a-z]{3})(iz)(e|es|ed|ing|ation|ations)$"), r"is\2"),  # -ize -> -ise
    (re.compile(r"(?<=[a-z]{2})(yz)(e|es|ed|ing)$"), r"ys\2"),  # paralyze -> paralyse
)
_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=65536)
def british_word(word: str) -> str:
    """The British spelling of one lower-case word ("tumors" -> "tumours"), or the word unchanged."""
    result = word
    for american, british in _BRITISH_STEMS:
        if result.startswith(american) and not result.startswith(british):
            result = british + result[len(american) :]
            break
    for pattern, replacement in _BRITISH_INNER:
        result = pattern.sub(replacement, result)
    return result


def british(term: str) -> str:
    """The term with every word in British spelling ("iron deficiency anemia" -> "... anaemia")."""
    return _WORD.sub(lambda match: british_word(match.group(0)), term)


# Prefixes written closed, hyphenated or spaced ("x-ray", "x ray", "xray").
_CLOSABLE_PREFIXES = frozenset({"x", "e", "non", "anti", "pre", "post", "co", "re", "beta", "alpha", "multi"})
_ALPHA_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
_PREFIX_SPACE = re.compile(r"\b([a-z]+) (?=[a-z]{2})")


def hyphenation_variants(term: str) -> set[str]:
    """Spellings of the term's hyphens: "x-ray" -> {"x ray", "xray"}; "beta blocker" -> {"beta-blocker"}.

    Hyphens between letters become spaces; after a known prefix ("x", "non", "anti", "beta", ...) the
    closed form is added too. A space after such a prefix gives the hyphenated form. Hyphens next to a
    digit (chemical names such as "5-fluorouracil") are kept as they are.
    """
    variants: set[str] = set()
    if _ALPHA_HYPHEN.search(term):
        variants.add(_ALPHA_HYPHEN.sub(" ", term))
        closed = re.sub(
            r"\b([a-z]+)-(?=[a-z])",
            lambda match: match.group(1) if match.group(1) in _CLOSABLE_PREFIXES else match.group(0),
            term,
        )
        if closed != term:
            variants.add(closed)
    first = _PREFIX_SPACE.match(term)
    if first is not None and first.group(1) in _CLOSABLE_PREFIXES:
        variants.add(first.group(1) + "-" + term[first.end() :])
    variants.discard(term)
    return variants


# Adjectives of one-word condition names ("hypertensive patients", "diabetic mice"): whole words first,
# then suffix rules. Only suffixes whose adjective is not an everyday word ("invasion" -> "invasive"
# and "toxicity" -> "toxic" are left out on purpose).
ADJECTIVE_WORDS: dict[str, str] = {
    "diabetes": "diabetic",
    "parkinsonism": "parkinsonian",
    "asthma": "asthmatic",
    "arthritis": "arthritic",
    "allergy": "allergic",
    "anorexia": "anorexic",
    "autism": "autistic",
    "alcoholism": "alcoholic",
    "obesity": "obese",
    "migraine": "migrainous",
    "convulsion": "convulsive",
    "convulsions": "convulsive",
    "depression": "depressive",
    "angina": "anginal",
    "asystole": "asystolic",
    "ataxia": "ataxic",
    "purpura": "purpuric",
    "tetany": "tetanic",
}
_ADJECTIVE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("tension", "tensive"),  # hypertension, hypotension
    ("osis", "otic"),  # thrombosis, psychosis, cirrhosis, necrosis
    ("emia", "emic"),  # anemia, ischemia, hypoglycemia, leukemia
    ("epsy", "eptic"),  # epilepsy, narcolepsy
    ("phrenia", "phrenic"),  # schizophrenia
    ("thmia", "thmic"),  # arrhythmia
    ("oxia", "oxic"),  # hypoxia, anoxia
    ("algia", "algic"),  # neuralgia
    ("plegia", "plegic"),  # hemiplegia, paraplegia
    ("pathy", "pathic"),  # neuropathy
    ("kinesia", "kinetic"),  # dyskinesia, akinesia
    ("toxicity", "toxic"),  # nephrotoxicity, hepatotoxicity (not "toxicity" itself: see below)
    ("thyroidism", "thyroid"),  # hypothyroidism -> hypothyroid
    ("penia", "penic"),  # neutropenia, thrombocytopenia
    ("thermia", "thermic"),  # hypothermia
    ("ema", "ematous"),  # edema, emphysema, erythema, eczema
    ("tonia", "tonic"),  # dystonia, hypotonia
    ("ysm", "ysmal"),  # aneurysm, paroxysm
)


def adjective_of(term: str) -> str | None:
    """The adjective of a one-word condition name ("hypertension" -> "hypertensive"), or None."""
    if " " in term or "-" in term:
        return None
    if term in ADJECTIVE_WORDS:
        return ADJECTIVE_WORDS[term]
    for noun_suffix, adjective_suffix in _ADJECTIVE_SUFFIXES:
        if term.endswith(noun_suffix) and len(term) >= len(noun_suffix) + 2:
            return term[: -len(noun_suffix)] + adjective_suffix
    return None


def expand_variants(
    term: str,
    *,
    plurals: bool = True,
    british_spelling: bool = True,
    hyphenation: bool = True,
    adjectives: bool = False,
    singulars: bool = False,
    class_heads: bool = False,
) -> set[str]:
    """The term and all its variants, each case-folded: hyphenation, singulars, class head nouns,
    plurals, adjectives, British spelling (each step adds to the forms of the steps before).

    >>> sorted(expand_variants("x-ray"))
    ['x ray', 'x rays', 'x-ray', 'x-rays', 'xray', 'xrays']
    """
    base = normalize_term(term)
    forms = {base}
    if hyphenation:
        forms |= hyphenation_variants(base)
    if singulars:
        forms |= {singular for form in forms if (singular := singularize(form)) is not None}
    if class_heads:
        forms |= {headed for form in list(forms) for headed in class_head_variants(form)}
    if plurals:
        forms |= {plural for form in forms if (plural := pluralize(form)) is not None}
    if adjectives:
        forms |= {adjective for form in forms if (adjective := adjective_of(form)) is not None}
    if british_spelling:
        forms |= {british(form) for form in forms}
    return {form for form in forms if form}


# Salt and ester words written after a drug name ("labetalol hydrochloride", "cerivastatin sodium").
# The lexicon holds the bare names; a matcher may extend a drug match over one following salt word.
SALT_WORDS = frozenset(
    {
        "acetate",
        "besylate",
        "bitartrate",
        "bromide",
        "calcium",
        "chloride",
        "citrate",
        "dihydrate",
        "dipropionate",
        "disodium",
        "fumarate",
        "hcl",
        "hydrobromide",
        "hydrochloride",
        "hyclate",
        "lactate",
        "magnesium",
        "maleate",
        "mesylate",
        "monohydrate",
        "nitrate",
        "phosphate",
        "potassium",
        "propionate",
        "sodium",
        "succinate",
        "sulfate",
        "sulphate",
        "tartrate",
        "tromethamine",
        "valerate",
    }
)


def is_salt_word(word: str) -> bool:
    """Whether a word names a salt or ester form that may follow a drug name ("HCl", "sodium")."""
    return normalize_term(word) in SALT_WORDS


_HAS_LETTER = re.compile(r"[a-z]")


def is_matchable(term: str) -> bool:
    """Whether a case-folded term is worth matching in prose.

    Rejected: fewer than 3 characters, no letter, or a comma followed by a space (an inverted index
    heading such as "abdomen, acute" or a list of several names, which prose never writes as one term).
    """
    return len(term) >= 3 and ", " not in term and _HAS_LETTER.search(term) is not None
