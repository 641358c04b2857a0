"""Three-valued (Kleene) logic that remembers why.

A `Tri` is T, F or U (spec §10: a criterion that depends on a missing item is U, and a rule
fires only when its predicate is true from the data present). It carries two lists:

* `missing`: when U, the unanswered keys that left it open. "Needed" (§10, R3-12) falls out of
  the logic: a missing answer matters exactly when it leaves a reported outcome undecided.
* `because`: when T, the answers that made it true for this patient (R3-13, R3-24), as
  (key, value) pairs in trigger order. Only positive conditions that are true are listed;
  an exclusion (a negated term) never is.
"""

from __future__ import annotations

Because = tuple[tuple[str, object], ...]
_NO_KEYS: frozenset[str] = frozenset()


class Tri:
    """T, F or U, with its missing keys (when U) and its reasons (when T). Never changed once
    made, so shared instances are safe. (A plain slotted class: made often, it costs a
    fraction of a frozen dataclass.)"""

    __slots__ = ("value", "missing", "because")

    def __init__(
        self, value: bool | None, missing: frozenset[str] = _NO_KEYS, because: Because = ()
    ):
        self.value = value
        self.missing = missing
        self.because = because

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tri):
            return NotImplemented
        return (self.value, self.missing, self.because) == (
            other.value,
            other.missing,
            other.because,
        )

    def __hash__(self) -> int:
        return hash((self.value, self.missing, self.because))

    def __repr__(self) -> str:
        return f"Tri({self.symbol}, missing={sorted(self.missing)}, because={self.because})"

    @property
    def is_true(self) -> bool:
        return self.value is True

    @property
    def is_false(self) -> bool:
        return self.value is False

    @property
    def is_open(self) -> bool:
        return self.value is None

    @property
    def symbol(self) -> str:
        """The T / F / U letter the output schema uses for a criterion."""
        return "T" if self.value is True else "F" if self.value is False else "U"

    def __bool__(self) -> bool:  # guards against `if tri:` mistakes
        raise TypeError("Tri has three values; use .is_true, .is_false or .is_open")


TRUE = Tri(True)
FALSE = Tri(False)
UNSURE = Tri(None)  # answered, but with neither yes nor no


def unknown(*keys: str) -> Tri:
    """U because these keys are unanswered."""
    return Tri(None, frozenset(keys))


def true_because(key: str, value: object) -> Tri:
    """T, and the answer that makes it so."""
    return Tri(True, because=((key, value),))


def of(value: bool, key: str = "", shown: object = None) -> Tri:
    """A decided fact; when true and `key` is given, it lists (key, shown) as its reason."""
    if not value:
        return FALSE
    return true_because(key, shown) if key else TRUE


def any_of(*terms: Tri) -> Tri:
    """Kleene OR: T if any term is T (listing every true term's reasons, in order); F if all
    are F; otherwise U with the open terms' missing keys."""
    because: Because = ()
    decided_true = False
    open_terms = []
    for term in terms:
        if term.value is True:
            decided_true = True
            because += term.because
        elif term.value is None:
            open_terms.append(term)
    if decided_true:
        return Tri(True, because=because)
    if not open_terms:
        return FALSE
    return _open(open_terms)


def all_of(*terms: Tri) -> Tri:
    """Kleene AND: F if any term is F; T if all are T (listing their reasons, in order);
    otherwise U with the open terms' missing keys."""
    open_terms = []
    because: Because = ()
    for term in terms:
        if term.value is False:
            return FALSE
        if term.value is None:
            open_terms.append(term)
        else:
            because += term.because
    if open_terms:
        return _open(open_terms)
    return Tri(True, because=because)


def negate(term: Tri) -> Tri:
    """Kleene NOT, for exclusions: a negated term is never listed as a reason."""
    if term.value is None:
        return term
    return FALSE if term.value else TRUE


def derived(name: str, term: Tri) -> Tri:
    """A named predicate of §3 (chronic_diarrhea, gi_symptomatic...): when true it is listed as
    {"key": name, "value": true}, followed by its own reasons (R3-24)."""
    if term.value is not True:
        return term
    return Tri(True, because=((name, True), *term.because))


def _open(terms: list[Tri]) -> Tri:
    missing = _NO_KEYS
    for term in terms:
        missing = missing | term.missing
    return Tri(None, missing)


def because_records(because: Because) -> list[dict[str, object]]:
    """The output form of a reason list: [{"key": ..., "value": ...}, ...]."""
    return [{"key": key, "value": value} for key, value in because]
