"""Indexes the reports need on tables other packages own (no tables of our own).

The coverage report counts the visits of an interval per grid: a covering, partial index
on (occurred_at, grid_id) lets both databases answer it from the index alone, without
touching the 10-million-row table (which households were visited comes from
household_visit_days instead); a partial (promoter_id, occurred_at) index answers "did
this promoter visit anyone in the interval" with one probe per promoter (see
docs/performance.md).
"""
from sqlalchemy import Index, text

from harmony.cases.models import Case
from harmony.visits.models import Visit

ix_visit_report_interval = Index(
    "ix_visit_report_interval",
    Visit.occurred_at, Visit.grid_id,
    # The reports filter on `deleted = false` spelled exactly like this (see service._live).
    postgresql_where=text("deleted = false"),
    sqlite_where=text("deleted = 0"),
)

ix_visit_report_promoter = Index(
    "ix_visit_report_promoter",
    Visit.promoter_id, Visit.occurred_at,
    postgresql_where=text("deleted = false"),
    sqlite_where=text("deleted = 0"),
)

# Cases opened / resolved in an interval, read from the index alone where the report
# needs only these columns (a case row carries its ladder snapshot: about 1 KB).
ix_case_report_opened = Index(
    "ix_case_report_opened",
    Case.opened_at, Case.grid_id, Case.category,
    postgresql_where=text("deleted = false"),
    sqlite_where=text("deleted = 0"),
)
ix_case_report_resolved = Index(
    "ix_case_report_resolved",
    Case.resolved_at, Case.grid_id, Case.resolved_level, Case.resolved_tier,
    postgresql_where=text("deleted = false"),
    sqlite_where=text("deleted = 0"),
)
ix_case_report_open = Index(
    "ix_case_report_open",
    Case.status, Case.grid_id, Case.level, Case.deadline_at,
    postgresql_where=text("deleted = false"),
    sqlite_where=text("deleted = 0"),
)
