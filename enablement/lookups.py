"""`__any_of`, the batch paths' filter for `column IN values`: one typed array parameter on PostgreSQL.
The lookup is registered on every field in EnablementConfig.ready, not as a side effect of an import."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    """`column = ANY(%s)` with the values as one array parameter on PostgreSQL; `IN` elsewhere. It
    finds what `__in` finds: Nones dropped (as `IN` drops them: in an array they would make `NOT
    (… = ANY …)` null), whole numbers outside the column's range dropped (no row holds them; the cast
    would fail), and the array cast to the column's type without its length or scale (`varchar`, not
    `varchar(100)`, which would cut longer values to match)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        kind = getattr(field, "target_field", field).get_internal_type()
        try:
            low, high = connection.ops.integer_field_range(kind)
        except KeyError:  # not a whole number
            low = high = None
        values = []
        for value in self.rhs:
            if value is None:
                continue
            value = field.get_prep_value(value)  # "abc" for a number: the ValueError `__in` raises
            if low is None or low <= value <= high:
                values.append(field.get_db_prep_value(value, connection, prepared=True))
        # The array in the column's type: psycopg sends small numbers as smallint[], and bigint =
        # smallint has no hash function, so the array was searched element by element for each row.
        cast = re.sub(r"\(.*\)$", "", field.cast_db_type(connection))
        return f"{lhs} = ANY(%s::{cast}[])", [*lhs_params, values]


def one_of(column: str, values: set) -> dict:
    """A filter for `column IN values`: on PostgreSQL one array parameter (`= ANY(%s)`), since the
    driver splices each of a thousand separate parameters into the statement's text one by one. (Not
    `id IN (SELECT id … WHERE column = ANY(%s))`: on the primary key the planner probed the array for
    each row of a nested loop, many times slower; docs/benchmarks.md.)"""
    if connection.vendor != "postgresql":
        return {f"{column}__in": values}
    return {f"{column}__any_of": list(values)}
