"""Three-valued (Kleene) logic that remembers which unanswered questions left a result open.

Spec §10: a criterion that depends on a missing item is U, a flag fires only when its predicate
is true from the data present, and every missing item that is *needed* is listed. A Tri that is
U carries the keys whose absence made it U, so "needed" falls out of the logic itself: a missing
answer is needed exactly when it leaves some reported result undecided.
"""

from __future__ import annotations


class Tri:
    __slots__ = ("value", "missing")

    def __init__(self, value: bool | None, missing: frozenset[str] = frozenset()):
        self.value = value
        self.missing = missing

    @property
    def is_true(self) -> bool:
        return self.value is True

    @property
    def is_false(self) -> bool:
        return self.value is False

    @property
    def symbol(self) -> str:
        """The T / F / U letter the output schema uses for a criterion."""
        return "T" if self.value is True else "F" if self.value is False else "U"

    def __bool__(self) -> bool:  # pragma: no cover - guards against `if tri:` mistakes
        raise TypeError("Tri has three values; use .is_true or .is_false")

    def __repr__(self) -> str:
        return (
            f"Tri({self.symbol}{', missing=' + str(sorted(self.missing)) if self.missing else ''})"
        )


TRUE = Tri(True)
FALSE = Tri(False)
UNSURE = Tri(None)  # answered, but not with yes or no
_EMPTY: frozenset[str] = frozenset()


def unknown(*keys: str) -> Tri:
    return Tri(None, frozenset(keys))


def of(value: bool) -> Tri:
    return TRUE if value else FALSE


def _open(terms: tuple[Tri, ...]) -> Tri:
    """U carrying the missing keys of every open (U) term in `terms`."""
    missing = _EMPTY
    for term in terms:
        if term.value is None and term.missing:
            missing = missing | term.missing
    return Tri(None, missing) if missing else UNSURE


# any_of and all_of: when a single term is open, that term is itself the result (same value,
# same missing keys; Tris are never changed), which saves making a Tri and a set.


def any_of(*terms: Tri) -> Tri:
    """Kleene OR: T if any term is T; F if all are F; otherwise U with the open terms' keys."""
    first_open = None
    several_open = False
    for term in terms:
        if term.value is True:
            return TRUE
        if term.value is None:
            if first_open is None:
                first_open = term
            else:
                several_open = True
    if first_open is None:
        return FALSE
    return _open(terms) if several_open else first_open


def all_of(*terms: Tri) -> Tri:
    """Kleene AND: F if any term is F; T if all are T; otherwise U with the open terms' keys."""
    first_open = None
    several_open = False
    for term in terms:
        if term.value is False:
            return FALSE
        if term.value is None:
            if first_open is None:
                first_open = term
            else:
                several_open = True
    if first_open is None:
        return TRUE
    return _open(terms) if several_open else first_open


# either and both: any_of and all_of of exactly two terms, with the same results. A call with a
# fixed number of arguments costs CPython 3.11 about half as much as one with *terms.


def either(a: Tri, b: Tri) -> Tri:
    """Kleene OR of two terms: any_of(a, b)."""
    if a.value is True or b.value is True:
        return TRUE
    if a.value is False:
        return b
    if b.value is False:
        return a
    return _open((a, b))


def both(a: Tri, b: Tri) -> Tri:
    """Kleene AND of two terms: all_of(a, b)."""
    if a.value is False or b.value is False:
        return FALSE
    if a.value is True:
        return b
    if b.value is True:
        return a
    return _open((a, b))
