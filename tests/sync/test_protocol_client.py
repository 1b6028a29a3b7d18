"""Done when: a client that follows only docs/sync-protocol.md pushes, loses the response,
retries, pulls in pages, is interrupted and resumes, and ends with exactly the server's data."""
import uuid

import pytest
from sqlalchemy import select

from harmony.extensions import db
from harmony.households.models import Household
from harmony.places.models import Place
from harmony.visits.models import Visit
from protocol_client import LostResponse, ProtocolClient
from sync.models import jsonable
from sync.tables import ENVELOPE_COLUMNS
from sync_helpers import first_household


def server_view(app, grid_id):
    """What the promoter of grid_id should hold: computed from the database, not from sync."""
    out = {}
    with app.app_context():
        grid = db.session.get(Place, grid_id)
        place_ids = set(grid.ancestor_ids()) | set(db.session.scalars(select(Place.id).where(Place.parent_id == grid_id)))
        queries = (("place", select(Place).where(Place.id.in_(place_ids))),
                   ("household", select(Household).where(Household.grid_id == grid_id, Household.deleted.is_(False))),
                   ("visit", select(Visit).where(Visit.grid_id == grid_id, Visit.deleted.is_(False))))
        for table, stmt in queries:
            for row in db.session.scalars(stmt):
                fields = {c.name: jsonable(getattr(row, c.name)) for c in row.__table__.columns
                          if c.name not in ENVELOPE_COLUMNS}
                out[(table, row.id)] = {"version": row.version, "server_seq": row.server_seq, "fields": fields}
    return out


def test_the_documented_client_ends_with_exactly_the_servers_data(app, demo, login):
    promoter = login("demo-promoter")
    grid = demo.grids[0]
    phone = ProtocolClient(promoter, page_size=4)
    # First download, interrupted after two pages; the app is killed and restarted.
    assert phone.pull(max_pages=2) is True
    saved = phone.store
    phone = ProtocolClient(promoter, store=saved, page_size=4)

    # Offline work: a new household, visits to it and to a known household, an edit.
    known = first_household(app, grid)
    new_id = str(uuid.uuid4())
    phone.record("household", "create", new_id, {"grid_id": grid, "address": "学堂弄5号", "head_name": "李娜",
                                                 "member_count": 2, "care_tags": ["elderly_alone"]})
    visits = [phone.record("visit", "create", str(uuid.uuid4()), {"household_id": h, "form": "home_visit",
                                                                  "topics": ["liaison"], "notes": f"第{n}次"})
              for n, h in enumerate([new_id, known, known])]
    phone.record("household", "update", known, {"member_count": 4}, base_version=1)

    # Push; the response is lost after the server committed; the retry gets the same answers.
    outbox_before = list(phone.store.outbox)
    with pytest.raises(LostResponse):
        phone.push(lose_response=True)
    assert phone.store.outbox == outbox_before
    phone.push()
    assert phone.store.outbox == []
    assert [phone.store.results[m["mid"]]["status"] for m in outbox_before] == ["applied"] * 5
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Visit)) == 3

    # Meanwhile the server changes: the grid head edits, the admin deletes, the village moves one out.
    others = [h for h in sorted(server_view(app, grid)) if h[0] == "household" and h[1] not in (known, new_id)]
    head = login("demo-gridhead")
    assert head.patch(f"/api/households/{others[0][1]}", json={"address": "后山路7号"}).status_code == 200
    assert login("demo-admin").delete(f"/api/households/{others[1][1]}").status_code == 204
    moved = login("demo-village").post(f"/api/households/{others[2][1]}/move", json={"to_grid_id": demo.grids[1]})
    assert moved.status_code == 200

    # Resume the download in small pages, interrupted once more half-way.
    phone.pull(max_pages=3)
    phone = ProtocolClient(promoter, store=phone.store, page_size=4)
    phone.pull()
    assert phone.store.records == server_view(app, grid)
    assert visits[0]["id"] in {k[1] for k in phone.store.records}

    # A retry of everything already acknowledged changes nothing.
    again = ProtocolClient(promoter, store=phone.store)
    again.store.outbox = outbox_before
    again.push()
    again.pull()
    assert again.store.records == server_view(app, grid)
