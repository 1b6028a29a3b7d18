"""Every number of every report against a hand count of the fixture (see conftest.py)."""
import pytest

from harmony.cli import system_scope
from harmony.reports.service import run_report
from tests.reports.conftest import FROM, TO, row


def report(name, place, lang="en"):
    return run_report(system_scope(), name, place, FROM, TO, lang)


def cells(result, code, *keys):
    r = row(result, code)
    return tuple(r[k] for k in keys)


def test_coverage_by_township(ctx, county):
    result = report("coverage", "K")
    assert [r["place_code"] for r in result["rows"]] == ["K-T1", "K-T2"]
    keys = ("households", "households_visited", "coverage_pct", "visits", "promoters", "promoters_idle")
    # T1: households h1-h4, h7, h8, h9-h11 (h5 inactive, h6 deleted); visited h1, h3, h7, h10.
    # Visits v1 v2 v4 v5 v8 v9 (v3, v6 outside the local month, v7 deleted). p3's only visit was deleted.
    assert cells(result, "K-T1", *keys) == (9, 4, 44.4, 6, 3, 1)
    assert cells(result, "K-T2", *keys) == (1, 0, 0.0, 0, 1, 1)
    assert cells(result, "total", *keys) == (10, 4, 40.0, 6, 4, 2)
    assert result["place"] == {"id": county.k, "code": "K", "name": "Harmony County", "kind": "county"}
    assert (result["from"], result["to"]) == (FROM, TO)


def test_coverage_by_village_and_for_one_grid(ctx, county):
    result = report("coverage", "K-T1")
    keys = ("households", "households_visited", "coverage_pct", "visits", "promoters", "promoters_idle")
    # v9 was made in G1 (village V1) to h10, which now lives in G3 (village V2).
    assert cells(result, "K-T1-V1", *keys) == (6, 3, 50.0, 6, 2, 0)
    assert cells(result, "K-T1-V2", *keys) == (3, 1, 33.3, 0, 1, 1)
    assert cells(result, "total", *keys) == (9, 4, 44.4, 6, 3, 1)
    grid = report("coverage", "G1")
    assert [r["place_code"] for r in grid["rows"]] == ["G1"]
    assert cells(grid, "G1", *keys) == (4, 2, 50.0, 5, 1, 0)


def test_resolution(ctx, county):
    result = report("resolution", "K")
    keys = ("opened", "resolved", "resolved_l1", "resolved_l2", "resolved_l3", "resolved_l4", "resolved_l5",
            "resolved_village", "resolved_township", "resolved_county",
            "share_village_pct", "share_township_pct", "share_county_pct",
            "open", "open_l1", "open_l2", "open_l3", "open_l4", "open_l5")
    # Opened in October: c1 c2 c3 c4 c7 c8 c9 c10 c13 (T1), c5 (T2); c6 opened in September, c11 deleted.
    # Resolved in October: c1 c6 (level 1), c2 (2), c3 (3), c4 (4, township; since closed), c5 (5, county);
    # c10 resolved on 1 Nov. Open now: c7 c13 (level 1), c9 (2), c8 (4); c12 closed unresolved.
    assert cells(result, "K-T1", *keys) == (9, 5, 2, 1, 1, 1, 0, 4, 1, 0, 80.0, 20.0, 0.0, 4, 2, 1, 0, 1, 0)
    assert cells(result, "K-T2", *keys) == (1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0.0, 0.0, 100.0, 0, 0, 0, 0, 0, 0)
    assert cells(result, "total", *keys) == (10, 6, 2, 1, 1, 1, 1, 4, 1, 1, 66.7, 16.7, 16.7, 4, 2, 1, 0, 1, 0)


def test_speed_percentiles_and_overdue(ctx, county):
    result = report("speed", "K")
    # Days to resolve, T1: c1 1, c6 12 (level 1), c2 3, c3 7, c4 10; T2: c5 20.
    # T1 sorted 1 3 7 10 12: median 7; p90 at 0.9·4 = 3.6 → 10 + 0.6·(12 − 10) = 11.2.
    t1 = row(result, "K-T1")
    assert (t1["resolved"], t1["median_days"], t1["p90_days"]) == (5, 7.0, 11.2)
    # Level 1 of T1: 1 and 12 → median 6.5, p90 1 + 0.9·11 = 10.9.
    assert (t1["resolved_l1"], t1["median_days_l1"], t1["p90_days_l1"]) == (2, 6.5, 10.9)
    assert (t1["median_days_l2"], t1["p90_days_l2"]) == (3.0, 3.0)
    assert (t1["median_days_l3"], t1["median_days_l4"], t1["median_days_l5"]) == (7.0, 10.0, None)
    t2 = row(result, "K-T2")
    assert (t2["resolved"], t2["median_days"], t2["p90_days"], t2["median_days_l5"]) == (1, 20.0, 20.0, 20.0)
    total = row(result, "total")
    # All: 1 3 7 10 12 20 → median 7 + 0.5·3 = 8.5; p90 at 4.5 → 12 + 0.5·8 = 16.
    assert (total["resolved"], total["median_days"], total["p90_days"]) == (6, 8.5, 16.0)
    assert (total["median_days_l1"], total["p90_days_l1"], total["median_days_l5"]) == (6.5, 10.9, 20.0)
    # Open now (2 Nov 02:00 UTC): c7 level 1 (deadline 23 Oct, overdue), c13 level 1 (3 Nov), c9 level 2
    # (1 Nov, overdue), c8 level 4 (9 Nov).
    keys = ("open", "overdue", "overdue_pct", "open_l1", "overdue_l1", "overdue_pct_l1", "overdue_pct_l2",
            "overdue_pct_l3", "overdue_pct_l4")
    assert cells(result, "K-T1", *keys) == (4, 2, 50.0, 2, 1, 50.0, 100.0, None, 0.0)
    assert cells(result, "K-T2", *keys) == (0, 0, None, 0, 0, None, None, None, None)
    assert cells(result, "total", *keys) == (4, 2, 50.0, 2, 1, 50.0, 100.0, None, 0.0)


def test_overdue_follows_the_clock(ctx, county, clock):
    from datetime import timedelta

    clock.advance(timedelta(days=2))  # 4 Nov: c13 (deadline 3 Nov) is now overdue too
    assert cells(report("speed", "K"), "total", "overdue", "overdue_l1") == (3, 2)


def test_satisfaction(ctx, county):
    result = report("satisfaction", "K")
    keys = ("resolved", "rated", "followed_up_pct", "mean_rating", "rated_l1", "mean_rating_l1", "rated_l2",
            "mean_rating_l2", "rated_l3", "mean_rating_l3", "rated_l4", "mean_rating_l4", "rated_l5", "mean_rating_l5")
    # T1 resolved in October: c1 (5), c6 (–), c2 (4), c3 (–), c4 (2) → 3 of 5 rated, mean 11/3.
    assert cells(result, "K-T1", *keys) == (5, 3, 60.0, 3.67, 1, 5.0, 1, 4.0, 0, None, 1, 2.0, 0, None)
    assert cells(result, "K-T2", *keys) == (1, 1, 100.0, 3.0, 0, None, 0, None, 0, None, 0, None, 1, 3.0)
    assert cells(result, "total", *keys) == (6, 4, 66.7, 3.5, 1, 5.0, 1, 4.0, 0, None, 1, 2.0, 1, 3.0)


def test_teams(ctx, county):
    result = report("teams", "K")
    keys = ("grids", "teams", "resolved", "resolved_by_team", "problems", "grids_out_of_range", "promoters")
    # Problems: G2 no grid group, G3 group without village cadre, V1 association without liaison cadre,
    # V2 and V3 no association, G4 no grid group. Sizes 2–3: G1 has 4 households, G4 has 1.
    assert cells(result, "K-T1", *keys) == (3, 3, 5, 2, 4, 1, 3)
    assert cells(result, "K-T2", *keys) == (1, 0, 1, 0, 2, 1, 1)
    assert cells(result, "total", *keys) == (4, 3, 6, 2, 6, 2, 4)
    sections = {s["key"]: s for s in result["sections"]}
    by_team = {r["team_id"]: r["resolved"] for r in sections["by_team"]["rows"]}
    assert by_team == {county.team_g1: 1, county.team_g3: 0, county.team_v1: 1}
    by_promoter = {r["user_id"]: r["resolved"] for r in sections["by_promoter"]["rows"]}
    # c1 and c6 by p1 in October (c10 on 1 Nov, c11 deleted); the inactive promoter is left out.
    assert by_promoter == {county.p1: 2, county.p2: 0, county.p3: 0, county.p4: 0}
    problems = sorted((r["place_code"], r["problem"]) for r in sections["problems"]["rows"])
    assert problems == sorted([
        ("G1", "grid_size_out_of_range"), ("G2", "no_grid_group"), ("G3", "grid_group_without_village_cadre"),
        ("G4", "no_grid_group"), ("G4", "grid_size_out_of_range"), ("K-T1-V1", "association_without_liaison_cadre"),
        ("K-T1-V2", "no_association"), ("K-T2-V3", "no_association")])


def test_teams_of_a_village_count_its_own_association(ctx, county):
    result = report("teams", "K-T1-V1")
    keys = ("grids", "teams", "resolved", "resolved_by_team", "problems", "grids_out_of_range")
    assert cells(result, "G1", *keys) == (1, 1, 3, 1, 0, 1)
    assert cells(result, "G2", *keys) == (1, 0, 1, 1, 1, 0)
    # The association sits on the village itself: in the total, not in a grid's row.
    assert cells(result, "total", *keys) == (2, 2, 4, 2, 2, 1)


def test_categories(ctx, county):
    result = report("categories", "K")
    t1 = row(result, "K-T1")
    assert (t1["opened"], t1["n_neighbour"], t1["n_family"], t1["n_land_housing"], t1["n_other"],
            t1["n_labour_wages"]) == (9, 5, 2, 1, 1, 0)
    assert (t1["pct_neighbour"], t1["pct_family"], t1["pct_land_housing"], t1["pct_other"]) == (55.6, 22.2, 11.1, 11.1)
    t2 = row(result, "K-T2")
    assert (t2["opened"], t2["n_labour_wages"], t2["pct_labour_wages"], t2["pct_family"]) == (1, 1, 100.0, 0.0)
    total = row(result, "total")
    assert (total["opened"], total["pct_neighbour"], total["pct_family"], total["pct_labour_wages"],
            total["pct_medical"]) == (10, 50.0, 20.0, 10.0, 0.0)


def test_empty_interval_gives_zeros_and_no_shares(ctx, county):
    result = run_report(system_scope(), "resolution", "K", "2020-01-01", "2020-01-31", "en")
    assert cells(result, "total", "opened", "resolved", "share_village_pct") == (0, 0, None)
    speed = run_report(system_scope(), "speed", "K", "2020-01-01", "2020-01-31", "en")
    assert cells(speed, "total", "resolved", "median_days", "p90_days") == (0, None, None)


@pytest.mark.parametrize("name", ["coverage", "resolution", "speed", "satisfaction", "teams", "categories"])
def test_every_report_has_the_documented_shape(ctx, county, name):
    result = report(name, "K", lang="zh-CN")
    assert set(result) >= {"report", "place", "from", "to", "columns", "rows", "total"}
    keys = [c["key"] for c in result["columns"]]
    assert keys[:2] == ["place_code", "place_name"]
    for r in result["rows"] + [result["total"]]:
        assert set(keys) <= set(r) and "place_id" in r
    assert row(result, "K-T1")["place_name"] == "枫桥镇"
    assert result["total"]["place_name"] == "合计"
