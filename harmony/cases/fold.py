"""The fold: a case's state from its events. Pure: plain data in, plain data out.

Events come from phones that sync whenever they can, so the same events may arrive in
any order and more than once. The fold therefore sorts them itself, by
(opened first, min(occurred_at, received_at), received_at, id): a phone whose clock runs ahead
cannot jump the queue, because it is never placed later than the server saw it.
Duplicates (same id) count once.

An event that makes no sense at its point in that order is kept and given a reason
("rule: message"); it changes nothing. The fold never raises for such events.

Inputs:
- events: [{"id", "kind", "actor_id", "occurred_at", "received_at", "data", "facts"?}] (aware datetimes);
  `facts` = {"people": {"<user id>": {"owner_roles": [...], "member_roles": {"<team id>": role}}}}, what
  the server knew about the people an event names when it was received. When present it decides the
  carrier, acceptance and leader rules, so a later change of teams does not rewrite history.
- ladder: {"key", "levels": [...], "day_kind"}: the snapshot taken when the case was opened
- context: {"tz", "calendar": {date: kind}, "owners": {owner_role: [user ids]},
            "teams": {team_kind: team id}, "members": {team id: {user id: member_role}}}
"""
import json

from harmony.ladders.deadlines import level_deadline

COMMITTEES = ("medical", "labour_wages", "traffic_accident")
# Kinds that may follow a closed case; anything else needs a reopening first.
AFTER_CLOSE = ("note", "satisfaction", "reopened")

STATE_FIELDS = (
    "status", "level", "level_key", "tier", "owner_role", "level_since", "owner_id", "owner_team_id",
    "assigned_committee", "leader_id", "deadline_at", "remind_at", "resolved_level", "resolved_level_key",
    "resolved_tier", "resolved_by_id", "resolved_team_id", "resolved_at", "closed_at", "satisfaction",
    "satisfaction_at",
)


def event_time(event):
    """The moment an event counts from: a phone clock ahead of the server is not trusted."""
    return min(event["occurred_at"], event["received_at"])


def sort_key(event):
    # Equal times (second-precision phones, one request) fall back to arrival, then id.
    return (0 if event["kind"] == "opened" else 1, event_time(event), event["received_at"], event["id"])


def _identity(event):
    return (sort_key(event), event["kind"], json.dumps(event.get("data") or {}, sort_keys=True, default=str),
            str(event.get("actor_id")))


def order_events(events):
    """Return the events de-duplicated by id, in fold order."""
    unique = {}
    for event in events:
        seen = unique.get(event["id"])
        if seen is None or _identity(event) < _identity(seen):
            unique[event["id"]] = event
    return sorted(unique.values(), key=sort_key)


def _facts(event, user_id):
    return ((event.get("facts") or {}).get("people") or {}).get(str(user_id))


def level_label(level):
    return f"{level.get('name_en') or level['key']} ({level.get('name_zh') or level['key']})"


class _Fold:
    def __init__(self, ladder, context):
        self.ctx = context
        self.ladder = {"key": ladder["key"], "levels": list(ladder["levels"]),
                       "day_kind": ladder.get("day_kind") or "calendar"}
        self.s = {name: None for name in STATE_FIELDS}
        self.s["level"] = 1
        self.leader_needed = False

    # --- helpers -------------------------------------------------------------------------

    @property
    def levels(self):
        return self.ladder["levels"]

    def current(self):
        return self.levels[self.s["level"] - 1]

    def owners(self, level):
        return list(self.ctx.get("owners", {}).get(level["owner_role"], []))

    def team(self, level):
        kind = level.get("owner_team_kind")
        return self.ctx.get("teams", {}).get(kind) if kind else None

    def member_role(self, event, team_id, user_id):
        known = _facts(event, user_id)
        if known is not None:
            return (known.get("member_roles") or {}).get(str(team_id))
        return self.ctx.get("members", {}).get(team_id, {}).get(user_id)

    def owns(self, event, user_id, level):
        known = _facts(event, user_id)
        if known is not None:
            return level["owner_role"] in (known.get("owner_roles") or [])
        return user_id in self.owners(level)

    def default_owner(self, level):
        if level.get("leader_required"):
            return self.s["leader_id"]
        owners = self.owners(level)
        return owners[0] if owners else None

    def arrive(self, number, at, owner=None, since=None):
        """Put the case at level `number` (1-based), reached at `at`, with a fresh deadline."""
        level = self.levels[number - 1]
        s = self.s
        s["level"], s["level_key"], s["tier"] = number, level["key"], level["tier"]
        s["owner_role"] = level["owner_role"]
        s["level_since"] = since or at
        s["owner_team_id"] = self.team(level)
        s["owner_id"] = owner if owner is not None else self.default_owner(level)
        s["assigned_committee"] = None
        self.set_deadline()

    def set_deadline(self):
        level = self.current()
        deadline, remind = level_deadline(self.s["level_since"], level, self.ladder["day_kind"],
                                          self.ctx.get("tz", "Asia/Shanghai"), self.ctx.get("calendar") or {})
        self.s["deadline_at"], self.s["remind_at"] = deadline, remind

    def clear_deadline(self):
        self.s["deadline_at"] = self.s["remind_at"] = None

    def needs_leader(self):
        return bool(self.current().get("leader_required")) and self.s["leader_id"] is None

    # --- the rules -----------------------------------------------------------------------

    def apply(self, event):
        """Apply one event; return None, or the reason it was rejected."""
        kind, s = event["kind"], self.s
        if kind == "opened":
            if s["status"] is not None:
                return "already_opened: The case was already opened."
            return self.opened(event)
        if s["status"] is None:
            return "not_opened: The case has not been opened."
        if s["status"] == "closed" and kind not in AFTER_CLOSE:
            return "case_closed: The case is closed; reopen it first."
        if s["status"] == "resolved" and kind not in AFTER_CLOSE + ("closed",):
            return "already_resolved: The case is resolved; reopen it first."
        if s["status"] == "open" and kind not in ("note", "leader_assigned", "ladder_reapplied") and self.needs_leader():
            return (f"leader_needed: At {level_label(self.current())} one case has one named leader "
                    "(领导包案); name the leader first.")
        handler = getattr(self, kind, None)
        if handler is None:
            return f"unknown_kind: {kind!r} is not an event kind."
        return handler(event)

    def opened(self, event):
        self.s["status"] = "open"
        first = self.levels[0]
        reporter = event.get("actor_id")
        owner = reporter if reporter in self.owners(first) else None
        self.arrive(1, event_time(event), owner=owner)
        return None

    def note(self, event):
        return None

    def mediation(self, event):
        if self.s["status"] != "open":
            return "not_open: Mediation sessions are recorded on open cases."
        return None

    def escalated(self, event):
        s, data = self.s, event["data"]
        here, to = s["level"], data["to_level"]
        top = len(self.levels)
        if here >= top:
            return f"past_top: The case is already at the top level, {level_label(self.current())}."
        if to != here + 1:
            return f"one_level_at_a_time: From level {here} a case goes up only to level {here + 1}, not {to}."
        level = self.current()
        role = level.get("carrier_member_role")
        if role:
            carrier = data.get("carried_by") or event.get("actor_id")
            team = self.team(level)
            if team is None or self.member_role(event, team, carrier) != role:
                return (f"carrier_required: Only a member of the {level_label(level)} team with the role "
                        f"{role} may carry the case up from this level.")
        self.arrive(to, event_time(event))
        return None

    def deescalated(self, event):
        here, to = self.s["level"], event["data"]["to_level"]
        if not 1 <= to < here:
            return f"not_downward: From level {here} a case can be handed back only to a lower level (1–{here - 1})."
        self.arrive(to, event_time(event))
        return None

    def accepted(self, event):
        s, data, actor = self.s, event["data"], event.get("actor_id")
        if data.get("level") is not None and data["level"] != s["level"]:
            return f"stale_level: The case is at level {s['level']} now, not level {data['level']}."
        level = self.current()
        team = self.team(level)
        if not self.owns(event, actor, level) and (team is None or self.member_role(event, team, actor) is None) \
                and actor != s["leader_id"]:
            return f"not_level_owner: Only the people who own {level_label(level)} may accept the case there."
        s["owner_id"] = actor
        return None

    def assigned(self, event):
        s, data = self.s, event["data"]
        if data.get("committee"):
            s["assigned_committee"] = data["committee"]
        else:
            s["owner_id"] = data["assignee_id"]
        return None

    def leader_assigned(self, event):
        s, level = self.s, self.current()
        if not level.get("leader_required"):
            return f"no_leader_here: Leaders are named only at a level that requires one, not at {level_label(level)}."
        leader = event["data"]["leader_id"]
        if not self.owns(event, leader, level):
            return f"leader_not_eligible: The leader must be a {level['owner_role']} serving this case's place."
        s["leader_id"] = s["owner_id"] = leader
        return None

    def resolved(self, event):
        s = self.s
        level = self.current()
        s["status"] = "resolved"
        s["resolved_level"], s["resolved_level_key"], s["resolved_tier"] = s["level"], level["key"], level["tier"]
        s["resolved_by_id"] = event.get("actor_id")
        s["resolved_team_id"] = s["owner_team_id"]
        s["resolved_at"] = event_time(event)
        s["closed_at"] = None
        self.clear_deadline()
        return None

    def satisfaction(self, event):
        s = self.s
        if s["resolved_at"] is None:
            return "not_resolved: A resident's rating is recorded only after the case is resolved."
        s["satisfaction"] = event["data"]["rating"]
        s["satisfaction_at"] = event_time(event)
        return None

    def reopened(self, event):
        s = self.s
        if s["status"] == "open":
            return "already_open: The case is open; only a resolved or closed case is reopened."
        back_to = min(s["resolved_level"] or s["level"], len(self.levels))
        s["status"] = "open"
        for name in ("resolved_level", "resolved_level_key", "resolved_tier", "resolved_by_id", "resolved_team_id",
                     "resolved_at", "closed_at", "satisfaction", "satisfaction_at"):
            s[name] = None
        self.arrive(back_to, event_time(event))
        return None

    def closed(self, event):
        s = self.s
        if s["status"] == "open" and not (event["data"].get("reason") or "").strip():
            return ("not_resolved: The matter is not settled (案结事了); resolve the case first, "
                    "or give a reason for closing it unresolved.")
        s["status"] = "closed"
        s["closed_at"] = event_time(event)
        self.clear_deadline()
        return None

    def ladder_reapplied(self, event):
        """Switch to a new ladder: same level key if it exists, deadline recounted from arrival."""
        s, new = self.s, event["data"]["ladder"]
        old_key, old_owner = s["level_key"], s["owner_id"]
        self.ladder = {"key": new["key"], "levels": list(new["levels"]), "day_kind": new.get("day_kind") or "calendar"}
        keys = [level["key"] for level in self.levels]
        number = keys.index(old_key) + 1 if old_key in keys else min(s["level"], len(keys))
        if s["status"] == "open":
            self.arrive(number, event_time(event), since=s["level_since"])
            if old_key == s["level_key"] and old_owner is not None:
                s["owner_id"] = old_owner
        else:
            level = self.levels[number - 1]
            s["level"], s["level_key"], s["tier"], s["owner_role"] = number, level["key"], level["tier"], level["owner_role"]
        return None


def fold(events, ladder, context):
    """Return {"state", "rejected": {event id: reason or None}, "order": [event ids], "ladder", "leader_needed"}."""
    work = _Fold(ladder, context)
    ordered = order_events(events)
    rejected = {}
    for event in ordered:
        rejected[event["id"]] = work.apply(event)
    state = dict(work.s)
    if state["status"] is None:
        state["status"] = "open"
    leader_needed = state["status"] == "open" and work.needs_leader()
    return {"state": state, "rejected": rejected, "order": [e["id"] for e in ordered], "ladder": work.ladder,
            "leader_needed": leader_needed}


def rule_of(reason):
    """Return the rule code of a rejection reason ("carrier_required: …" -> "carrier_required")."""
    return reason.split(":", 1)[0] if reason else None
