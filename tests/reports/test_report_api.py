"""The endpoint: scope, bad input in the one error shape, CSV and XLSX exports, the CLI command."""
import csv
import io
import json

import pytest
from openpyxl import load_workbook

from tests.reports.conftest import FROM, PASSWORD, TO, row

URL = f"/api/reports/coverage?place=K&from={FROM}&to={TO}"


@pytest.fixture
def as_user(county, login):
    def _as(username):
        return login(username, password=PASSWORD)

    return _as


def assert_error(response, status, field, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert field in body["error"]["fields"], body
    if code:
        assert body["error"]["code"] == code


def test_county_leader_gets_json_by_township(as_user, county):
    response = as_user("boss").get(URL + "&lang=en")
    assert response.status_code == 200
    body = response.get_json()
    assert body["report"] == "coverage"
    assert body["place"]["code"] == "K"
    assert [c["key"] for c in body["columns"]][:3] == ["place_code", "place_name", "households"]
    assert body["columns"][2]["label"] == "Households"
    assert row(body, "K-T1")["households"] == 9 and body["total"]["coverage_pct"] == 40.0


def test_place_by_id_and_default_place_is_the_callers_top(as_user, county):
    township = as_user("ts1")
    body = township.get(f"/api/reports/resolution?from={FROM}&to={TO}").get_json()
    assert body["place"]["id"] == county.t1
    assert [r["place_code"] for r in body["rows"]] == ["K-T1-V1", "K-T1-V2"]
    by_id = township.get(f"/api/reports/resolution?place={county.v1}&from={FROM}&to={TO}").get_json()
    assert by_id["place"]["code"] == "K-T1-V1"
    promoter = as_user("p1").get(f"/api/reports/coverage?from={FROM}&to={TO}").get_json()
    assert promoter["place"]["code"] == "G1" and len(promoter["rows"]) == 1


def test_zh_headers_follow_the_users_locale(as_user):
    body = as_user("boss").get(URL).get_json()
    assert body["lang"] == "zh-CN"
    assert [c["label"] for c in body["columns"]][:4] == ["地区代码", "地区", "户数", "已走访户数"]


@pytest.mark.parametrize("place", ["K-T1", "K-T1-V1", "G1", "K", "{t1}"])
def test_township_user_cannot_see_another_township(as_user, county, place):
    other = as_user("ts2")
    response = other.get(f"/api/reports/resolution?place={place.format(t1=county.t1)}&from={FROM}&to={TO}")
    assert_error(response, 404, "place", "not_found")
    assert "rows" not in response.get_json() and "total" not in response.get_json()
    for fmt in ("csv", "xlsx"):
        response = other.get(f"/api/reports/coverage?place=K-T1&format={fmt}")
        assert_error(response, 404, "place")


def test_promoter_cannot_report_on_the_village(as_user):
    assert_error(as_user("p1").get(f"/api/reports/coverage?place=K-T1-V1"), 404, "place")


def test_log_in_required(client, county):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("query, status, field", [
    ("from=2026-13-01&to=2026-10-31", 422, "from"),
    ("from=yesterday", 422, "from"),
    ("from=2026-10-01&to=2026-02-30", 422, "to"),
    ("from=2026-11-01&to=2026-10-31", 422, "from"),
    ("from=2000-01-01&to=2026-10-31", 422, "from"),
    ("format=pdf", 422, "format"),
    ("lang=fr", 422, "lang"),
    ("place=NOPE", 404, "place"),
    ("place=999999", 404, "place"),
    ("place=99999999999999999999999", 404, "place"),
    ("place=G2-U1", 422, "place"),
])
def test_bad_input_names_the_field(as_user, query, status, field):
    response = as_user("boss").get(f"/api/reports/coverage?{query}")
    assert_error(response, status, field)


def test_unknown_report_name(as_user):
    response = as_user("boss").get(f"/api/reports/happiness?from={FROM}&to={TO}")
    assert_error(response, 404, "name", "not_found")


def test_defaults_to_the_last_30_local_days(as_user):
    body = as_user("boss").get("/api/reports/coverage").get_json()
    # The clock: 2026-11-02 10:00 in Asia/Shanghai.
    assert (body["from"], body["to"]) == ("2026-10-04", "2026-11-02")


def read_csv(response):
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_in_both_languages(as_user):
    boss = as_user("boss")
    zh = read_csv(boss.get(URL + "&format=csv&lang=zh-CN"))
    assert zh[0] == ["地区代码", "地区", "户数", "已走访户数", "走访覆盖率(%)", "走访次数", "促进员人数", "未走访的促进员"]
    assert zh[1] == ["K-T1", "枫桥镇", "9", "4", "44.4", "6", "3", "1"]
    assert zh[2] == ["K-T2", "安华镇", "1", "0", "0.0", "0", "1", "1"]
    assert zh[3] == ["K", "合计", "10", "4", "40.0", "6", "4", "2"]
    response = boss.get(URL + "&format=csv&lang=en")
    assert 'filename="coverage-K-2026-10-01-2026-10-31.csv"' in response.headers["Content-Disposition"]
    en = read_csv(response)
    assert en[0] == ["Place code", "Place", "Households", "Households visited", "Coverage (%)", "Visits",
                     "Promoters", "Promoters with no visits"]
    assert en[1][:2] == ["K-T1", "Fengqiao"] and en[3][:2] == ["K", "Total"]


def test_csv_of_teams_carries_its_sections(as_user):
    rows = read_csv(as_user("boss").get(f"/api/reports/teams?place=K&from={FROM}&to={TO}&format=csv&lang=en"))
    assert ["Resolved per team"] in rows and ["Resolved per promoter"] in rows and ["Composition problems"] in rows
    start = rows.index(["Resolved per promoter"])
    assert rows[start + 1] == ["User id", "Name", "Cases resolved"]
    assert rows[start + 2][1:] == ["p1", "2"]


def read_xlsx(response):
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.get_data()), read_only=True)


def test_xlsx_in_both_languages(as_user):
    boss = as_user("boss")
    book = read_xlsx(boss.get(f"/api/reports/resolution?place=K&from={FROM}&to={TO}&format=xlsx&lang=zh-CN"))
    sheet = book[book.sheetnames[0]]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = values[0]
    assert header[:5] == ["地区代码", "地区", "新增案件", "化解案件", "第1级化解"]
    assert "村级化解占比(%)" in header
    assert values[1][:4] == ["K-T1", "枫桥镇", 9, 5]
    assert values[3][:4] == ["K", "合计", 10, 6]
    assert values[3][header.index("村级化解占比(%)")] == 66.7
    book = read_xlsx(boss.get(f"/api/reports/teams?place=K&from={FROM}&to={TO}&format=xlsx&lang=en"))
    assert book.sheetnames == ["Teams and grids", "Resolved per team", "Resolved per promoter", "Composition problems"]
    first = [list(r) for r in book["Teams and grids"].iter_rows(values_only=True)]
    assert first[0][:4] == ["Place code", "Place", "Grids", "Teams"]
    assert first[-1][:4] == ["K", "Total", 4, 3]


@pytest.mark.parametrize("name", ["coverage", "resolution", "speed", "satisfaction", "teams", "categories"])
def test_every_report_exports(as_user, name):
    boss = as_user("boss")
    for lang in ("zh-CN", "en"):
        body = boss.get(f"/api/reports/{name}?place=K&from={FROM}&to={TO}&lang={lang}").get_json()
        labels = [c["label"] for c in body["columns"]]
        assert read_csv(boss.get(f"/api/reports/{name}?place=K&from={FROM}&to={TO}&format=csv&lang={lang}"))[0] == labels
        book = read_xlsx(boss.get(f"/api/reports/{name}?place=K&from={FROM}&to={TO}&format=xlsx&lang={lang}"))
        header = next(book[book.sheetnames[0]].iter_rows(values_only=True))
        assert list(header) == labels
        assert all(label and not label.isascii() for label in labels) if lang == "zh-CN" else True


def test_cli_writes_csv_xlsx_and_json(app, county, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "coverage.csv"
    result = runner.invoke(args=["report", "coverage", "--place", "K", "--from", FROM, "--to", TO,
                                 "--format", "csv", "--lang", "en", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][2] == "Households" and rows[-1][:3] == ["K", "Total", "10"]
    xlsx = tmp_path / "resolution.xlsx"
    result = runner.invoke(args=["report", "resolution", "--place", "K-T1", "--from", FROM, "--to", TO,
                                 "--format", "xlsx", "-o", str(xlsx)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(xlsx, read_only=True).active
    assert next(sheet.iter_rows(values_only=True))[2] == "新增案件"
    result = runner.invoke(args=["report", "speed", "--place", "K", "--from", FROM, "--to", TO, "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["total"]["median_days"] == 8.5


@pytest.mark.parametrize("args, message", [
    (["report", "coverage", "--place", "NOPE"], "No such place"),
    (["report", "coverage", "--from", "2026-11-01", "--to", "2026-10-01"], "from"),
    (["report", "nothing"], "nothing"),
    (["report", "coverage", "--from", "01/10/2026"], "--from"),
])
def test_cli_rejects_bad_input(app, county, args, message):
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
