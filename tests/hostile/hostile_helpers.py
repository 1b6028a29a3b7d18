"""Small helpers for the hostile-input tests: counting rows and building push bodies."""
import uuid

from sqlalchemy import func, select

from harmony.extensions import db

TS = "2026-11-02T10:00:00+08:00"


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def household_of(app, grid_id):
    from harmony.households.models import Household

    with app.app_context():
        return db.session.scalar(select(Household.id).where(Household.grid_id == grid_id).order_by(Household.code))


def visit_mutation(mid, household_id, record_id=None, **fields):
    return {"mid": mid, "table": "visit", "op": "create", "id": record_id or str(uuid.uuid4()), "base_version": None,
            "fields": {"household_id": household_id, "form": "home_visit", "topics": ["liaison"], "notes": "ok",
                       "answered_on_spot": False, "case_ids": [], **fields},
            "client_ts": TS}


def push_body(mutations, client_id=None):
    return {"client_id": client_id or str(uuid.uuid4()), "schema_version": 1, "mutations": mutations}


def assert_error_shape(response, status=None):
    """Every 4xx/5xx body is {"error": {"code", "message", "fields"}}."""
    if status is not None:
        assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    return error
