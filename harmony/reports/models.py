"""Indexes the reports need on tables other packages own (no tables of our own).

The coverage report reads the visits of an interval: one covering, partial index on
(occurred_at, household_id, grid_id, promoter_id) lets both databases answer it from the
index alone, without touching the 10-million-row table (see docs/performance.md).
"""
from sqlalchemy import Index, text

from harmony.visits.models import Visit

ix_visit_report_interval = Index(
    "ix_visit_report_interval",
    Visit.occurred_at, Visit.household_id, Visit.grid_id, Visit.promoter_id,
    # The reports filter on `deleted = false` spelled exactly like this (see service._live).
    postgresql_where=text("deleted = false"),
    sqlite_where=text("deleted = 0"),
)
