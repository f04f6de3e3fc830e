"""What a table reader reports: a Problem (row, column, reason), ordered Problems, TabularError, Table."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .cells import printable


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: the row and column the editor should look at, and what is wrong (Chinese)."""

    row: int
    column: str
    reason: str

    def __str__(self):
        if self.row and self.column:
            return _("第 %(row)s 行，“%(column)s”列：%(reason)s") % {
                "row": self.row,
                "column": self.column,
                "reason": self.reason,
            }
        if self.row:
            return _("第 %(row)s 行：%(reason)s") % {"row": self.row, "reason": self.reason}
        if self.column:
            return _("“%(column)s”列：%(reason)s") % {"column": self.column, "reason": self.reason}
        return self.reason

    def as_dict(self):
        return {"row": self.row, "column": self.column, "reason": self.reason}


class Problems:
    """An ordered, de-duplicated collection of problems."""

    def __init__(self):
        self._items = []
        self._seen = set()

    def add(self, row, column, reason):
        problem = Problem(int(row or 0), printable(column or ""), printable(reason))
        if problem not in self._seen:
            self._seen.add(problem)
            self._items.append(problem)

    def extend(self, problems):
        for problem in problems:
            self.add(problem.row, problem.column, problem.reason)

    def __iter__(self):
        order = sorted(range(len(self._items)), key=lambda i: (self._items[i].row, i))
        return iter([self._items[i] for i in order])

    def __len__(self):
        return len(self._items)

    def __bool__(self):
        return bool(self._items)

    def lines(self):
        return [str(problem) for problem in self]


class TabularError(Exception):
    """Raised when a file cannot be used; `problems` lists every (row, column, reason)."""

    def __init__(self, problems):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class Table:
    """What was read: canonical column names (in file order) and numbered rows."""

    format: str
    columns: list  # canonical names, in file order
    labels: dict  # canonical name -> header as written in the file
    rows: list = field(default_factory=list)  # [(row number, {canonical: value})]; open_table: an iterator
    header_row: int = 1
    document: dict = field(default_factory=dict)  # a JSON file's other top-level keys

    def label(self, name):
        return self.labels.get(name, name)
