"""Field-level merge rules: pure functions over plain data (no Flask, no session).

Each editable field has a policy:
- ``lww``: last arrival wins. A phone's value is applied even if the server changed
  the field since the phone's base version.
- ``server``: the server owns the field (workflow state folded from case events). A
  phone's value is never applied; it is reported back as ignored.
- ``manual``: if the server changed the field since the base, keep the server value
  and record a conflict (base, server and client values) for a person to resolve.
"""
from dataclasses import dataclass, field

LWW, SERVER, MANUAL = "lww", "server", "manual"
POLICIES = (LWW, SERVER, MANUAL)


@dataclass(frozen=True)
class FieldConflict:
    field: str
    base: object
    server: object
    client: object


@dataclass(frozen=True)
class MergeOutcome:
    status: str  # applied | merged | conflict
    apply: dict = field(default_factory=dict)  # field -> value to write
    conflicts: tuple = ()  # FieldConflict, in field order
    ignored: tuple = ()  # server-owned fields whose client value was dropped


def changed_since(changes, base_version, client_id=None):
    """Return {field: value at base_version} for the fields changed after base_version.

    `changes` is an iterable of (version, {field: [old, new]}) or (version, fields,
    client_id) of one record; the value a field had at the base is the old value of the
    first change after the base. Changes pushed by `client_id` itself are skipped: the
    phone made them, so they are not news to it (two offline edits of one field must not
    clash with each other).
    """
    since = {}
    for change in sorted(changes, key=lambda c: c[0]):
        version, fields = change[0], change[1]
        author = change[2] if len(change) > 2 else None
        if version <= base_version or (client_id is not None and author == client_id):
            continue
        for name, (old, _new) in fields.items():
            since.setdefault(name, old)
    return since


def merge(policies, base_version, current_version, since_base, server_values, client_fields):
    """Decide what of `client_fields` to apply to a record at `current_version`.

    `since_base` is changed_since(...) for the mutation's base version; `server_values`
    holds the record's current values. Fields are visited in sorted order so the
    outcome never depends on dict order.
    """
    if base_version > current_version:
        raise ValueError("base_version is ahead of the server's version")
    stale = base_version < current_version
    apply, conflicts, ignored = {}, [], []
    for name in sorted(client_fields):
        value = client_fields[name]
        policy = policies[name]
        if policy == SERVER:
            if value != server_values.get(name):
                ignored.append(name)
            continue
        if value == server_values.get(name):
            continue  # both sides agree: nothing to do
        if name not in since_base or policy == LWW:
            apply[name] = value
            continue
        conflicts.append(FieldConflict(name, since_base[name], server_values.get(name), value))
    if conflicts:
        status = "conflict"
    elif stale:
        status = "merged"
    else:
        status = "applied"
    return MergeOutcome(status, apply, tuple(conflicts), tuple(ignored))
