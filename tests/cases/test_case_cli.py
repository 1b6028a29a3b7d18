from datetime import timedelta

from case_helpers import actor, uid
from harmony.cases import service as cases
from harmony.cases.models import Case
from harmony.extensions import db
from harmony.ladders.models import CalendarDay


def test_refold_command_recounts_deadlines_after_the_calendar_changed(demo, app, clock):
    with app.app_context():
        # The five-station township counts working days.
        grid = demo.grids[-1]
        scope, admin = actor(demo, "demo-admin")
        case = cases.open_case(scope, admin, None, uid(), {"grid_id": grid, "title": "劳资纠纷", "category": "labour_wages",
                               "source": "walk_in"}, clock.now())
        before = case.deadline_at
        db.session.add(CalendarDay(day=(clock.now() + timedelta(days=1)).date(), kind="holiday", name="假日"))
        db.session.commit()
        case_id = case.id
    result = app.test_cli_runner().invoke(args=["cases-refold"])
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.output
    with app.app_context():
        assert db.session.get(Case, case_id).deadline_at == before + timedelta(days=1)
    assert app.test_cli_runner().invoke(args=["cases-refold", "--place", "nowhere"]).exit_code != 0
