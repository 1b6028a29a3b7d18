"""A lease row in the database decides which process runs the scheduled jobs."""
import logging
from datetime import timedelta

from sqlalchemy import case, update

from harmony.alerts.models import SchedulerLease
from harmony.clock import now
from harmony.extensions import db

log = logging.getLogger(__name__)


def acquire_lease(name, holder, ttl_seconds):
    """Take or renew the lease `name` for `holder`; return True if it is ours until now + ttl.

    One statement decides (UPDATE … WHERE holder = me OR expires_at < now), so two
    processes asking at once cannot both win; commits at once so the others see it.
    """
    from harmony.alerts.service import _insert

    at = now()
    expires = at + timedelta(seconds=ttl_seconds)
    connection = db.session.connection()
    created = connection.execute(
        _insert(SchedulerLease).values(name=name, holder=holder, expires_at=expires, acquired_at=at)
        .on_conflict_do_nothing()
    ).rowcount
    held = created == 1
    if not held:
        held = connection.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == name,
                   (SchedulerLease.holder == holder) | (SchedulerLease.expires_at < at))
            .values(holder=holder, expires_at=expires,
                    acquired_at=case((SchedulerLease.holder == holder, SchedulerLease.acquired_at), else_=at))
        ).rowcount == 1
    db.session.commit()
    return held


def release_lease(name, holder):
    """Give the lease up (on a clean shutdown) so another process can take it at once."""
    released = db.session.execute(
        update(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=now() - timedelta(seconds=1))
    ).rowcount
    db.session.commit()
    return released == 1


def lease_holder(name):
    lease = db.session.get(SchedulerLease, name)
    return None if lease is None else (lease.holder, lease.expires_at)
