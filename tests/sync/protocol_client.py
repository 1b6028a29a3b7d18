"""A sync client written from docs/sync-protocol.md alone (the "Done when" client).

It keeps, like a phone's local database: a client_id, an outbox of mutations numbered by
`mid`, local copies of records keyed by (table, id), and the saved cursor. Each pulled
page is applied together with its cursor (one local "transaction"), so an interrupted
download resumes where it stopped.
"""
import copy
import uuid


class LostResponse(Exception):
    """The request reached the server but its answer never came back."""


class LocalStore:
    """What survives a crash of the app: the phone's database."""

    def __init__(self):
        self.client_id = str(uuid.uuid4())
        self.next_mid = 1
        self.outbox = []  # mutations not yet acknowledged
        self.records = {}  # (table, id) -> {"version", "server_seq", "fields"}
        self.cursor = None
        self.results = {}  # mid -> result, as the app would show them


class ProtocolClient:
    def __init__(self, http, store=None, page_size=100):
        self.http = http  # .post(url, json=...) -> response with .status_code and .get_json()
        self.store = store or LocalStore()
        self.page_size = page_size

    # -- the outbox
    def record(self, table, op, record_id, fields, base_version=None, client_ts="2026-11-02T10:00:00+08:00"):
        m = {"mid": self.store.next_mid, "table": table, "op": op, "id": record_id, "base_version": base_version,
             "fields": fields, "client_ts": client_ts}
        self.store.next_mid += 1
        self.store.outbox.append(m)
        return m

    def push(self, lose_response=False, batch_size=500):
        """Send the outbox in batches; drop acknowledged mutations (mid <= last_mid)."""
        while self.store.outbox:
            batch = self.store.outbox[:batch_size]
            response = self.http.post("/api/sync/push", json={"client_id": self.store.client_id, "schema_version": 1,
                                                              "mutations": batch})
            if lose_response:
                raise LostResponse()
            if response.status_code != 200:
                raise RuntimeError(f"push failed: {response.status_code} {response.get_json()}")
            body = response.get_json()
            for result in body["results"]:
                self.store.results[result["mid"]] = result
            self.store.outbox = [m for m in self.store.outbox if m["mid"] > body["last_mid"]]

    # -- pulling
    def pull_page(self):
        """Fetch one page and apply it with its cursor; return has_more."""
        response = self.http.post("/api/sync/pull", json={"client_id": self.store.client_id,
                                                          "cursor": self.store.cursor, "limit": self.page_size})
        if response.status_code != 200:
            raise RuntimeError(f"pull failed: {response.status_code} {response.get_json()}")
        page = response.get_json()
        records = copy.deepcopy(self.store.records)
        if page.get("reset"):
            records = {}  # re-download everything; the outbox stays
        for change in page["changes"]:
            key = (change["table"], change["id"])
            if change["op"] == "upsert":
                records[key] = {"version": change["version"], "server_seq": change["server_seq"],
                                "fields": change["fields"]}
            else:  # delete (tombstone) or remove (no longer in my scope)
                records.pop(key, None)
        # One local transaction: the records and the cursor together.
        self.store.records, self.store.cursor = records, page["cursor"]
        return page["has_more"]

    def pull(self, max_pages=None):
        pages = 0
        while True:
            has_more = self.pull_page()
            pages += 1
            if not has_more or (max_pages is not None and pages >= max_pages):
                return has_more
