"""A phone that speaks the sync protocol through the Flask test client."""
import itertools
import uuid


TS = "2026-11-02T10:00:00+08:00"


class Phone:
    """One phone: a client_id, a mutation counter and the log-in of one user."""

    def __init__(self, api, client_id=None):
        self.api = api
        self.client_id = client_id or str(uuid.uuid4())
        self._mids = itertools.count(1)
        self.cursor = None

    def mutation(self, table, op, record_id=None, fields=None, base_version=None, client_ts=TS):
        return {"mid": next(self._mids), "table": table, "op": op, "id": record_id or str(uuid.uuid4()),
                "base_version": base_version, "fields": fields or {}, "client_ts": client_ts}

    def push(self, mutations, status=200, **extra):
        body = {"client_id": self.client_id, "schema_version": 1, "mutations": mutations, **extra}
        response = self.api.post("/api/sync/push", json=body)
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def push_one(self, *args, **kwargs):
        return self.push([self.mutation(*args, **kwargs)])["results"][0]

    def pull(self, cursor=None, limit=500, status=200):
        response = self.api.post("/api/sync/pull", json={"client_id": self.client_id, "cursor": cursor, "limit": limit})
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def pull_all(self, limit=1000):
        """Pull every page from the start; return {(table, id): change}."""
        state, cursor = {}, None
        while True:
            page = self.pull(cursor, limit)
            for change in page["changes"]:
                if change["op"] == "upsert":
                    state[(change["table"], change["id"])] = change
                else:
                    state.pop((change["table"], change["id"]), None)
            cursor = page["cursor"]
            if not page["has_more"]:
                return state, cursor


def household_fields(grid_id, **extra):
    return {"grid_id": grid_id, "address": "中心路1号", "head_name": "王伟", "member_count": 3, **extra}


def first_household(app, grid_id):
    from sqlalchemy import select

    from harmony.extensions import db
    from harmony.households.models import Household

    with app.app_context():
        return db.session.scalar(select(Household.id).where(Household.grid_id == grid_id).order_by(Household.code))
