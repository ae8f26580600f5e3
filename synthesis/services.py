"""The synthesis: codes × included studies, citation lists, counts, the figure's numbers.

Everything is read through the coding app (codings_for, version_tree) under one codebook
version, so a matrix under v1 and one under v2 can be put side by side. Each computation runs
a fixed number of queries (studies, the version's codes, the codings' keys), whatever the size
of the codebook or the number of studies.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext, gettext_lazy, ngettext

from coding.models import CodebookVersion, Coding, Polarity, SourceType
from coding.services import codings_for, get_codebook, studies_for, version_tree
from coding.services.tree import Node, Tree
from reviewapp.models import Review
from screening.appraisal.service import plan_for as appraisal_plan_for
from screening.appraisal.service import studies_meeting
from screening.models import Study
from synthesis.figure import FigureItem, FigureLevel

POLARITIES = [Polarity.FACILITATOR.value, Polarity.BARRIER.value, ""]
POLARITY_LABELS = {
    "facilitator": gettext_lazy("Facilitators"),
    "barrier": gettext_lazy("Barriers"),
    "": gettext_lazy("Other codes"),
}
SORTS = {
    "tree": gettext_lazy("Codebook order"),
    "name": gettext_lazy("Name"),
    "studies": gettext_lazy("Studies"),
    "excerpts": gettext_lazy("Excerpts"),
}


def level_label(level: str) -> str:
    if not level:
        return gettext("No level")
    named = KNOWN_LEVELS.get(level.lower())
    if named is not None:
        return str(named)
    return gettext("%(level)s level") % {"level": f"{level[:1].upper()}{level[1:]}"}


# The ecological model's usual levels, named in the interface's language; other levels are the
# codebook's own words.
KNOWN_LEVELS = {
    "individual": gettext_lazy("Individual level"),
    "interpersonal": gettext_lazy("Interpersonal level"),
    "environmental": gettext_lazy("Environmental level"),
    "organisational": gettext_lazy("Organisational level"),
    "organizational": gettext_lazy("Organisational level"),
    "community": gettext_lazy("Community level"),
    "policy": gettext_lazy("Policy level"),
}


# --- choosing what to look at -----------------------------------------------------------------


@dataclass
class Filters:
    """What the person chose: a codebook version and narrowing filters (all optional)."""

    version: int | None = None  # None: the latest published version
    level: str = ""
    polarity: str = ""
    source_type: str = ""
    coder: int | None = None
    sort: str = "tree"
    # Sensitivity view: only studies whose agreed appraisal scores at least this (percent).
    min_quality: int | None = None

    @classmethod
    def from_query(cls, params) -> Filters:
        def number(name: str) -> int | None:
            value = (params.get(name) or "").strip()
            return int(value) if value.isdigit() else None

        sort = params.get("sort", "tree")
        source_type = params.get("source_type", "")
        polarity = params.get("polarity", "")
        return cls(
            version=number("version"),
            level=(params.get("level") or "").strip()[:60],
            polarity=polarity if polarity in ("facilitator", "barrier") else "",
            source_type=source_type if source_type in SourceType.values else "",
            coder=number("coder"),
            sort=sort if sort in SORTS else "tree",
            min_quality=min(number("min_quality") or 0, 100) or None,
        )

    def query(self, **overrides) -> str:
        """The filters as a query string (for links that keep them), without empty values."""
        from urllib.parse import urlencode

        values = {
            "version": self.version,
            "level": self.level,
            "polarity": self.polarity,
            "source_type": self.source_type,
            "coder": self.coder,
            "sort": "" if self.sort == "tree" else self.sort,
            "min_quality": self.min_quality,
        }
        values.update(overrides)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})

    @property
    def narrowed(self) -> bool:
        return bool(
            self.level or self.polarity or self.source_type or self.coder or self.min_quality
        )


def resolve_version(review: Review, number: int | None) -> tuple[CodebookVersion | None, Tree]:
    """The version asked for (404 if unknown) or the latest published; the draft before v1."""
    codebook = get_codebook(review)
    if number is None:
        version = codebook.latest_version()
    else:
        version = codebook.versions.filter(number=number).first()
        if version is None:
            raise Http404("No such codebook version")
    return version, version_tree(codebook, version)


def _codings(review: Review, version: CodebookVersion | None, filters: Filters):
    qs = codings_for(review, version) if version is not None else codings_for(review)
    if filters.coder:
        qs = qs.filter(coder_id=filters.coder)
    if filters.source_type:
        qs = qs.filter(source_type=filters.source_type)
    return qs


def row_nodes(tree: Tree, coded_keys: set[str] = frozenset()) -> list[Node]:
    """The codes a synthesis lists: the subthemes (leaves), and any broader code coded directly."""
    return [n for n in tree if n.is_leaf or n.key in coded_keys]


def is_subtheme(node: Node) -> bool:
    """A leaf of the framework with a polarity: what "25 subthemes" counts."""
    return node.is_leaf and node.effective_polarity in ("facilitator", "barrier")


def citation(numbers: list) -> str:
    """A citation list in the review's reference order: "[3, 13, 41]"."""
    return "[" + ", ".join(str(n) for n in numbers) + "]"


def study_key(study: Study) -> tuple:
    return (study.reference_number is None, study.reference_number or 0, study.label, study.pk)


def study_cite(study: Study) -> str:
    """How a citation list names a study: its reference number, else its label."""
    return str(study.reference_number) if study.reference_number is not None else study.label


# --- the matrix -------------------------------------------------------------------------------


@dataclass
class Cell:
    study: Study
    n: int  # excerpts of this study coded with the row's code


@dataclass
class MatrixRow:
    node: Node
    columns: list[Cell]  # one per study, in the matrix's study order
    studies: list[Study]  # the supporting studies, in reference order
    excerpts: int

    @property
    def cells(self) -> list[int]:
        return [c.n for c in self.columns]

    @property
    def study_count(self) -> int:
        return len(self.studies)

    @property
    def citation(self) -> str:
        return citation([study_cite(s) for s in self.studies])

    @property
    def level(self) -> str:
        return self.node.effective_level

    @property
    def level_label(self) -> str:
        return level_label(self.level)

    @property
    def polarity(self) -> str:
        return self.node.effective_polarity


@dataclass
class MatrixGroup:
    level: str
    polarity: str
    rows: list[MatrixRow] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{level_label(self.level)} · {POLARITY_LABELS[self.polarity]}"

    @property
    def polarity_label(self) -> str:
        return str(POLARITY_LABELS[self.polarity])


@dataclass
class Matrix:
    version: CodebookVersion | None
    tree: Tree
    studies: list[Study]
    groups: list[MatrixGroup]
    filters: Filters
    levels: list[str]  # every level of the version, in codebook order (for the filter)
    column_totals: list[int] = field(default_factory=list)

    @property
    def level_options(self) -> list[tuple[str, str]]:
        return [(lv, level_label(lv)) for lv in self.levels]

    @property
    def rows(self) -> list[MatrixRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def total_excerpts(self) -> int:
        return sum(self.column_totals)

    def row_for(self, name: str) -> MatrixRow | None:
        return next((r for r in self.rows if r.node.name == name), None)


def levels_of(tree: Tree) -> list[str]:
    seen: list[str] = []
    for node in tree:
        if node.effective_level and node.effective_level not in seen:
            seen.append(node.effective_level)
    return seen


def _sorted(rows: list[MatrixRow], sort: str) -> list[MatrixRow]:
    if sort == "name":
        return sorted(rows, key=lambda r: r.node.name.lower())
    if sort == "studies":
        return sorted(rows, key=lambda r: (-r.study_count, -r.excerpts, r.node.order))
    if sort == "excerpts":
        return sorted(rows, key=lambda r: (-r.excerpts, -r.study_count, r.node.order))
    return rows


def build_matrix(review: Review, filters: Filters | None = None) -> Matrix:
    """Rows: codes grouped by level and polarity; columns: the included studies."""
    filters = filters or Filters()
    version, tree = resolve_version(review, filters.version)
    studies = sorted(studies_for(review), key=study_key)
    if filters.min_quality and appraisal_plan_for(review) is not None:
        meeting = studies_meeting(review, filters.min_quality / 100)
        studies = [s for s in studies if s.pk in meeting]
    column = {s.pk: i for i, s in enumerate(studies)}
    counts: Counter[tuple[str, int]] = Counter()
    for key, study_id in _codings(review, version, filters).values_list("code__key", "study_id"):
        node = tree.resolve_key(str(key))
        if node is not None and study_id in column:
            counts[(node.key, study_id)] += 1
    coded = {key for key, _ in counts}
    by_group: dict[tuple[str, str], MatrixGroup] = {}
    for node in row_nodes(tree, coded):
        if filters.level and node.effective_level != filters.level:
            continue
        if filters.polarity and node.effective_polarity != filters.polarity:
            continue
        cells = [Cell(s, counts.get((node.key, s.pk), 0)) for s in studies]
        supporting = [c.study for c in cells if c.n]
        group_key = (node.effective_level, node.effective_polarity)
        group = by_group.setdefault(group_key, MatrixGroup(*group_key))
        group.rows.append(MatrixRow(node, cells, supporting, sum(c.n for c in cells)))
    levels = levels_of(tree)
    level_rank = {lv: i for i, lv in enumerate(levels)}
    groups = sorted(
        by_group.values(),
        key=lambda g: (level_rank.get(g.level, len(levels)), POLARITIES.index(g.polarity)),
    )
    for group in groups:
        group.rows = _sorted(group.rows, filters.sort)
    totals = [sum(r.cells[i] for g in groups for r in g.rows) for i in range(len(studies))]
    return Matrix(version, tree, studies, groups, filters, levels, totals)


# --- excerpts behind a cell, a row or a theme -------------------------------------------------


def excerpts_for(
    review: Review,
    filters: Filters,
    *,
    code_id: int | None = None,
    study: Study | None = None,
) -> tuple[CodebookVersion | None, Tree, Node | None, list[Coding]]:
    """The codings behind one matrix cell (code and study), one row (code) or one column."""
    version, tree = resolve_version(review, filters.version)
    node = tree.by_code_id.get(code_id) if code_id is not None else None
    if code_id is not None and node is None:
        raise Http404("No such code in this version")
    qs = _codings(review, version, filters)
    if study is not None:
        qs = qs.filter(study=study)
    codings = [
        c
        for c in qs
        if (resolved := tree.resolve_key(str(c.code.key))) is not None
        and (node is None or resolved.key == node.key)
    ]
    codings.sort(key=lambda c: (study_key(c.study), c.start or 0, c.pk))
    return version, tree, node, codings


# --- theme summaries --------------------------------------------------------------------------


@dataclass
class Theme:
    node: Node
    studies: list[Study]
    codings: list[Coding]

    @property
    def citation(self) -> str:
        return citation([study_cite(s) for s in self.studies])

    @property
    def level(self) -> str:
        return self.node.effective_level

    @property
    def level_label(self) -> str:
        return level_label(self.level)

    @property
    def polarity(self) -> str:
        return self.node.effective_polarity


def themes(review: Review, filters: Filters | None = None) -> tuple[Matrix, list[Theme]]:
    """Every row of the matrix with its definition, citation list and excerpts (2 more queries)."""
    filters = filters or Filters()
    matrix = build_matrix(review, filters)
    tree = matrix.tree
    included = {s.pk for s in matrix.studies}
    by_key: dict[str, list[Coding]] = defaultdict(list)
    for coding in _codings(review, matrix.version, filters):
        node = tree.resolve_key(str(coding.code.key))
        if node is not None and coding.study_id in included:
            by_key[node.key].append(coding)
    out = []
    for row in matrix.rows:
        codings = sorted(by_key[row.node.key], key=lambda c: (study_key(c.study), c.start or 0))
        out.append(Theme(row.node, row.studies, codings))
    return matrix, out


# --- counts -----------------------------------------------------------------------------------


@dataclass
class LevelCount:
    level: str
    facilitators: int = 0
    barriers: int = 0
    cited_facilitators: int = 0
    cited_barriers: int = 0

    @property
    def label(self) -> str:
        return level_label(self.level)

    @property
    def total(self) -> int:
        return self.facilitators + self.barriers


@dataclass
class Counts:
    levels: list[LevelCount]

    @property
    def facilitators(self) -> int:
        return sum(lv.facilitators for lv in self.levels)

    @property
    def barriers(self) -> int:
        return sum(lv.barriers for lv in self.levels)

    @property
    def total(self) -> int:
        return self.facilitators + self.barriers

    @property
    def sentence(self) -> str:
        """The paper's way of putting it: "25 subthemes: 15 facilitators, 10 barriers"."""

        return gettext("%(subthemes)s: %(facilitators)s, %(barriers)s") % {
            "subthemes": ngettext("%(n)s subtheme", "%(n)s subthemes", self.total)
            % {"n": self.total},
            "facilitators": ngettext("%(n)s facilitator", "%(n)s facilitators", self.facilitators)
            % {"n": self.facilitators},
            "barriers": ngettext("%(n)s barrier", "%(n)s barriers", self.barriers)
            % {"n": self.barriers},
        }


def counts(matrix: Matrix) -> Counts:
    """Subthemes (leaf codes with a polarity) per level and polarity, in the matrix's version.

    Counts the codebook's subthemes regardless of the narrowing filters; "cited" counts those
    with at least one supporting study under the filters.
    """
    cited = {r.node.key for r in matrix.rows if r.studies}
    rows: dict[str, LevelCount] = {lv: LevelCount(lv) for lv in matrix.levels}
    for node in matrix.tree:
        if not is_subtheme(node):
            continue
        row = rows.setdefault(node.effective_level, LevelCount(node.effective_level))
        if node.effective_polarity == "facilitator":
            row.facilitators += 1
            row.cited_facilitators += node.key in cited
        else:
            row.barriers += 1
            row.cited_barriers += node.key in cited
    return Counts([r for r in rows.values() if r.total])


# --- the figure -------------------------------------------------------------------------------


def figure_levels(matrix: Matrix) -> list[FigureLevel]:
    """The ecological model's rings, outermost first (the codebook lists the innermost first)."""
    levels: dict[str, FigureLevel] = {}
    for group in matrix.groups:
        if not group.level or not group.polarity:
            continue
        level = levels.setdefault(group.level, FigureLevel(group.level, level_label(group.level)))
        items = [FigureItem(r.node.name, r.study_count) for r in group.rows]
        if group.polarity == "facilitator":
            level.facilitators.extend(items)
        else:
            level.barriers.extend(items)
    order = [lv for lv in matrix.levels if lv in levels]
    return [levels[lv] for lv in reversed(order)]


# --- comparing two versions -------------------------------------------------------------------


@dataclass
class CompareRow:
    key: str
    old: MatrixRow | None
    new: MatrixRow | None

    @property
    def name(self) -> str:
        return (self.new or self.old).node.name

    @property
    def changed(self) -> bool:
        if self.old is None or self.new is None:
            return True
        return (
            self.old.node.name != self.new.node.name
            or self.old.citation != self.new.citation
            or self.old.excerpts != self.new.excerpts
            or self.old.node.defining() != self.new.node.defining()
        )


def compare(review: Review, old: int, new: int, filters: Filters | None = None) -> list[CompareRow]:
    """Matrix rows of two versions side by side, matched by the codes' stable keys."""
    filters = filters or Filters()
    a = build_matrix(review, _with_version(filters, old))
    b = build_matrix(review, _with_version(filters, new))
    old_rows = {r.node.key: r for r in a.rows}
    new_rows = {r.node.key: r for r in b.rows}
    out = [CompareRow(k, old_rows.get(k), r) for k, r in new_rows.items()]
    out += [CompareRow(k, r, None) for k, r in old_rows.items() if k not in new_rows]
    return out


def _with_version(filters: Filters, number: int) -> Filters:
    from dataclasses import replace

    return replace(filters, version=number)
