"""Visits: recorded once in one's own grid, annotated not edited; coverage per household and grid."""
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from harmony.extensions import db
from harmony.households.models import Household
from harmony.visits.models import Visit, VisitAnnotation


def households(app, grid_id, n=3):
    with app.app_context():
        rows = db.session.scalars(select(Household).where(Household.grid_id == grid_id).order_by(Household.code).limit(n)).all()
        return [h.id for h in rows]


def visit_count(app, model=Visit):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_record_a_visit_keeping_the_phone_time_and_the_server_time(demo, login, app, clock):
    promoter = login("demo-promoter")
    household = households(app, demo.grids[0])[0]
    phone_time = clock.now() - timedelta(days=2, hours=3)
    response = promoter.post("/api/visits", json={
        "id": str(uuid.uuid4()), "household_id": household, "form": "family_stay", "topics": ["mediation", "policy_law"],
        "notes": "住户反映楼道灯坏了，已当场联系物业", "answered_on_spot": True,
        "occurred_at": phone_time.isoformat()})
    assert response.status_code == 201, response.get_json()
    visit = response.get_json()
    assert visit["grid_id"] == demo.grids[0] and visit["promoter_id"] == demo.users["demo-promoter"]
    assert visit["occurred_at"].startswith(phone_time.strftime("%Y-%m-%dT%H:%M"))
    assert visit["received_at"].startswith(clock.now().strftime("%Y-%m-%dT%H:%M"))
    # Not editable: there is no PATCH; corrections are annotations.
    assert promoter.patch(f"/api/visits/{visit['id']}", json={"notes": "x"}).status_code == 405
    note = promoter.post(f"/api/visits/{visit['id']}/annotations", json={"text": "更正：是三楼的灯"})
    assert note.status_code == 201
    detail = promoter.get(f"/api/visits/{visit['id']}").get_json()
    assert detail["notes"].startswith("住户反映") and [a["text"] for a in detail["annotations"]] == ["更正：是三楼的灯"]


def test_bad_visits_name_the_field_and_store_nothing(demo, login, app):
    promoter = login("demo-promoter")
    household = households(app, demo.grids[0])[0]
    tries = [
        ({"household_id": household, "form": "drone"}, "form"),
        ({"household_id": household, "topics": ["gossip"]}, "topics"),
        ({"household_id": household, "topics": "safety"}, "topics"),
        ({"household_id": household, "notes": "x" * 4001}, "notes"),
        ({"household_id": household, "answered_on_spot": "yes"}, "answered_on_spot"),
        ({"household_id": household, "case_ids": ["no-such-case"]}, "case_ids"),
        ({"household_id": 12}, "household_id"),
        ({"household_id": household, "occurred_at": "yesterday"}, "occurred_at"),
        ({"household_id": household, "mood": "happy"}, "mood"),
    ]
    for body, field in tries:
        response = promoter.post("/api/visits", json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["error"]["fields"], (field, response.get_json())
    assert promoter.post("/api/visits/x/annotations", json={"text": " "}).status_code == 422
    assert visit_count(app) == 0


def test_visiting_outside_ones_grid_is_refused_clearly(demo, login, app):
    promoter = login("demo-promoter")
    elsewhere = households(app, demo.grids[1])[0]
    response = promoter.post("/api/visits", json={"household_id": elsewhere})
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert "grids you serve" in error["message"] and "household_id" in error["fields"]
    assert visit_count(app) == 0
    # Someone without a visiting role cannot record visits at all.
    assert login("demo-township").post("/api/visits", json={"household_id": elsewhere}).status_code == 403


def test_outsiders_see_no_visits_summaries_or_todo(demo, login, app):
    promoter = login("demo-promoter")
    household = households(app, demo.grids[0])[0]
    visit = promoter.post("/api/visits", json={"household_id": household}).get_json()
    for outsider in (login("promoter-5"), login("village-2"), login("township-2")):
        assert outsider.get("/api/visits").get_json()["total"] == 0
        assert outsider.get(f"/api/visits?grid_id={demo.grids[0]}").get_json()["total"] == 0
        assert outsider.get(f"/api/visits/{visit['id']}").status_code == 404
        assert outsider.post(f"/api/visits/{visit['id']}/annotations", json={"text": "x"}).status_code in (403, 404)
        assert outsider.get(f"/api/households/{household}/visits-summary").status_code == 404
        assert outsider.get(f"/api/grids/{demo.grids[0]}/todo").status_code == 404
    assert visit_count(app, VisitAnnotation) == 0
    assert login("demo-county").get("/api/visits").get_json()["total"] == 1
    assert promoter.client.get("/api/visits").status_code == 401


def test_list_filters_by_household_grid_and_time(demo, login, app, clock):
    promoter = login("demo-promoter")
    a, b = households(app, demo.grids[0], 2)
    now = clock.now()
    for household, days in ((a, 1), (a, 40), (b, 10)):
        promoter.post("/api/visits", json={"household_id": household,
                                           "occurred_at": (now - timedelta(days=days)).isoformat()})
    head = login("demo-gridhead")
    assert head.get(f"/api/visits?household_id={a}").get_json()["total"] == 2
    assert head.get(f"/api/visits?grid_id={demo.grids[0]}").get_json()["total"] == 3
    since = (now - timedelta(days=15)).isoformat().replace("+00:00", "Z")
    body = head.get("/api/visits", query_string={"from": since}).get_json()
    assert body["total"] == 2 and body["items"][0]["household_id"] == a  # newest first
    until = (now - timedelta(days=5)).isoformat().replace("+00:00", "Z")
    assert head.get("/api/visits", query_string={"from": since, "to": until}).get_json()["total"] == 1
    assert head.get("/api/visits?from=soon").status_code == 422


def test_household_summary_and_the_grid_todo_list(demo, login, app, clock):
    promoter = login("demo-promoter")
    ids = households(app, demo.grids[0], 200)
    now = clock.now()
    visits = [(ids[0], 2), (ids[0], 20), (ids[0], 60), (ids[0], 120), (ids[1], 45)]
    for household, days in visits:
        assert promoter.post("/api/visits", json={"household_id": household,
                                                  "occurred_at": (now - timedelta(days=days)).isoformat()}).status_code == 201
    summary = promoter.get(f"/api/households/{ids[0]}/visits-summary").get_json()
    assert (summary["visits_30d"], summary["visits_90d"]) == (2, 3)
    assert summary["last_visit_at"].startswith((now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    never = promoter.get(f"/api/households/{ids[2]}/visits-summary").get_json()
    assert never["last_visit"] is None and never["visits_90d"] == 0
    todo = promoter.get(f"/api/grids/{demo.grids[0]}/todo?per_page=500").get_json()
    listed = [item["household_id"] for item in todo["items"]]
    assert todo["interval_days"] == 30 and todo["total"] == len(ids) - 1
    assert ids[0] not in listed and listed[-1] == ids[1]  # never-visited first, then the longest waiting
    assert todo["items"][-1]["days_since"] == 45 and todo["items"][0]["last_visit_at"] is None
    assert promoter.get(f"/api/grids/{demo.villages[0]}/todo").status_code == 404


def test_a_moved_household_keeps_its_old_visits_in_the_old_grid(demo, login, app):
    promoter = login("demo-promoter")
    household = households(app, demo.grids[0])[0]
    visit = promoter.post("/api/visits", json={"household_id": household}).get_json()
    cadre = login("demo-village")
    assert cadre.post(f"/api/households/{household}/move", json={"to_grid_id": demo.grids[1]}).status_code == 200
    assert cadre.get(f"/api/visits/{visit['id']}").get_json()["grid_id"] == demo.grids[0]
    again = login("promoter-2").post("/api/visits", json={"household_id": household}).get_json()
    assert again["grid_id"] == demo.grids[1]
    # The household is visited, in its new grid's to-do list as well.
    todo = login("promoter-2").get(f"/api/grids/{demo.grids[1]}/todo?per_page=500").get_json()
    assert household not in [item["household_id"] for item in todo["items"]]


def test_the_same_visit_sent_twice_is_stored_once(demo, login, app):
    promoter = login("demo-promoter")
    household = households(app, demo.grids[0])[0]
    body = {"id": str(uuid.uuid4()), "household_id": household}
    assert promoter.post("/api/visits", json=body).status_code == 201
    assert promoter.post("/api/visits", json=body).status_code == 201
    assert visit_count(app) == 1
    assert login("demo-gridhead").post("/api/visits", json=body).status_code == 409
