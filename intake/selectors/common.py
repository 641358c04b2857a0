"""What every staff read shares: the permission each needs, scoping to it, keyset paging."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Expression, QuerySet, Subquery

# What each staff read needs: the role's permission (intake/roles.py). Views refuse a role
# without it first (403); the reads below return nothing to it as well, so a view that forgot
# its check would still show no record.
CASES = "intake.view_intake"
PATIENTS = "intake.view_patient"
INVITATIONS = "intake.view_invitation"
RECORDS = "intake.manage_records"


def visible(queryset: QuerySet, *, user, permission: str) -> QuerySet:
    """The rows of `queryset` that `user` may see: all with the permission, none without."""
    return queryset if user.has_perm(permission) else queryset.none()


class RowBeyond(Expression):
    """`(a, b, id) > (SELECT a, b, id FROM ... WHERE id = <boundary>)`: the rows after (or
    before) a given row in an order that runs one way throughout, in one comparison that the
    index of that order serves (keyset pages: the work queue, a case's timeline)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, keys: list[Any], boundary: Subquery, operator: str):
        super().__init__(output_field=BooleanField())
        self.keys, self.boundary, self.operator = list(keys), boundary, operator

    def get_source_expressions(self):
        return [*self.keys, self.boundary]

    def set_source_expressions(self, exprs):
        *self.keys, self.boundary = exprs

    def as_sql(self, compiler, connection):
        parts, params = [], []
        for key in self.keys:
            sql, key_params = compiler.compile(key)
            parts.append(sql)
            params.extend(key_params)
        boundary_sql, boundary_params = compiler.compile(self.boundary)
        return f"({', '.join(parts)}) {self.operator} {boundary_sql}", [*params, *boundary_params]
