"""Pure checks on articles: the Article model, its parser, templates, rules and the Finding type.

No git, no Prefect: everything here is a function of its inputs.
"""

from validators.errors import InputError
from validators.findings import Finding, Severity
from validators.models import Article, Block, FrontMatter, Section
from validators.parser import load_article, parse_article

__all__ = [
    "Article",
    "Block",
    "Finding",
    "FrontMatter",
    "InputError",
    "Section",
    "Severity",
    "load_article",
    "parse_article",
]
