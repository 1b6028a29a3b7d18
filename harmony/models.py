"""Import every model so metadata (and so Alembic) sees the whole schema."""
import importlib

from harmony.audit.models import AuditEntry  # noqa: F401
from harmony.cases.models import Case, CaseEvent  # noqa: F401
from harmony.households.models import Household, HouseholdMove, HouseholdVisitDays  # noqa: F401
from harmony.ladders.models import CalendarDay, Ladder  # noqa: F401
from harmony.people.models import DeviceToken, LoginFailure, RoleAssignment, User  # noqa: F401
from harmony.places.models import Place  # noqa: F401
from harmony.teams.models import Team, TeamMember  # noqa: F401
from harmony.versioning import SyncCounter  # noqa: F401
from harmony.visits.models import Visit, VisitAnnotation  # noqa: F401
import harmony.audit.service  # noqa: F401,E402  (the audit listener)

# Packages that add their own tables register them by having a models module.
for _name in ("harmony.alerts.models", "harmony.reports.models", "sync.models"):
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as exc:
        if exc.name != _name:
            raise
