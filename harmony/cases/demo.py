"""A believable history for the demo county: 90 days of visits, cases at every level.

Visits are bulk-inserted (thousands); cases go through the real services so their state
is derived by the fold exactly as in production. Times come from the clock.
"""
import logging
import random
import uuid
from datetime import timedelta

from sqlalchemy import insert, select

from harmony.access import Scope
from harmony.cases import service as cases
from harmony.clock import now
from harmony.extensions import db
from harmony.households.models import Household
from harmony.households.visit_days import record_visits
from harmony.ladders.service import level_owner_ids, level_owner_team_id
from harmony.teams.models import TeamMember
from harmony.versioning import allocate_seq
from harmony.visits import service as visits
from harmony.visits.models import VISIT_TOPICS, Visit

log = logging.getLogger(__name__)
DEMO_GRID_LIMIT = 200  # grids with promoters (see harmony.demo)

VISIT_NOTES = (
    "走访了解家庭近况，老人身体尚可，无特殊诉求。",
    "住户反映楼道灯不亮，已当场联系物业维修。",
    "发放连心卡，告知促进员联系方式。",
    "电话回访，住户对上次调解结果表示满意。",
    "住户反映小区停车位紧张，建议规划临时停车区。",
    "宣传新修订的《民法典》相邻关系条款。",
    "独居老人，提醒注意冬季用电用火安全。",
    "住户询问医保缴费事宜，已当场解答。",
    "反映门前排水沟堵塞，下雨积水，已记录上报。",
    "新居民登记信息，介绍社区服务中心办事流程。",
    "了解到邻里之间因晾晒衣物有小摩擦，已当场劝解。",
    "住户建议增设垃圾分类投放点。",
    "困难家庭，了解救助申请进展。",
    "蹲点住家，听取村民对村道拓宽的意见。",
)
FORMS = (("home_visit", 0.6), ("phone_call", 0.2), ("contact_card", 0.1), ("family_stay", 0.1))

CASE_TEMPLATES = {
    "neighbour": (("楼上漏水殃及楼下住户", "楼上卫生间渗漏，楼下天花板发霉，双方多次争吵。"),
                  ("宅基地滴水纠纷", "两户相邻，新建房屋屋檐滴水落入邻家院内。")),
    "family": (("赡养老人费用分摊争议", "三兄妹对母亲住院费用分摊意见不一。"),
               ("婚姻家庭矛盾调解", "夫妻长期争吵，女方回娘家，要求村里出面调解。")),
    "land_housing": (("承包地界址争议", "两户承包地界桩移位，各执一词。"),
                     ("房屋租赁押金纠纷", "新居民退租后房东拒退押金。")),
    "labour_wages": (("工地农民工工资拖欠", "十余名工人反映包工头拖欠三个月工资。"),
                     ("车间加班费争议", "企业车间工人对加班费计算方式有异议。")),
    "medical": (("卫生院诊疗费用争议", "患者家属认为收费不合理，要求说明并退费。"),),
    "traffic_accident": (("电动车与行人碰撞赔偿", "村道上电动车撞伤老人，赔偿金额谈不拢。"),),
    "environment": (("养猪场异味扰民", "村东养殖场异味较重，周边住户多次投诉。"),
                    ("夜间施工噪音", "小区旁工地夜间施工，影响居民休息。")),
    "public_services": (("路灯损坏长期未修", "主干道路灯损坏两个月，夜间出行不便。"),
                        ("自来水水压不足", "高楼层住户用水困难。")),
    "other": (("广场舞音响扰民", "晚间广场舞音响过大，附近住户意见很大。"),),
}
OUTCOMES = ("经调解双方达成一致，签订调解协议。", "由责任方赔偿损失，双方握手言和。",
            "协调相关部门现场处理，问题已解决。", "明确责任分摊比例，当事人表示接受。")
COMMENTS = ("处理及时，很满意。", "问题解决了，谢谢促进员。", "基本满意，希望以后多来走走。",
            "调解结果还可以，就是时间长了点。", "不太满意，对方还没完全落实。")
SYSTEM = Scope(user_id=0, roles=frozenset({"admin"}), all_places=True, signature="demo")


def seed_history(result, rng_seed=90, days=90):
    """Add visits and cases to a freshly seeded demo county; return counts."""
    rng = random.Random(rng_seed)
    grids = result["places"]["grids"][:DEMO_GRID_LIMIT]
    users = result["users"]
    stamp = now()
    visit_count = _seed_visits(grids, users, rng, stamp, days)
    case_count = _seed_cases(result["places"], users, rng, stamp)
    db.session.flush()
    log.info("demo history: %s visits, %s cases", visit_count, case_count)
    return {"visits": visit_count, "cases": case_count}


def _promoters(grid_index, users):
    first = users["demo-promoter" if grid_index == 0 else f"promoter-{grid_index + 1}"]
    return [first, users[f"promoter-{grid_index + 1}b"]]


def _daytime(rng, stamp, days_ago):
    """A moment `days_ago` days back, during the working day in China (01:00–10:00 UTC)."""
    day = (stamp - timedelta(days=days_ago)).replace(hour=1, minute=0, second=0, microsecond=0)
    moment = day + timedelta(minutes=rng.randint(0, 9 * 60))
    return min(moment, stamp - timedelta(minutes=rng.randint(5, 120)))


def _seed_visits(grids, users, rng, stamp, days):
    by_grid = {}
    for household_id, grid_id in db.session.execute(
            select(Household.id, Household.grid_id).where(Household.grid_id.in_([g.id for g in grids]))
            .order_by(Household.code)):
        by_grid.setdefault(grid_id, []).append(household_id)
    connection = db.session.connection()
    rows, total = [], 0
    forms, weights = zip(*FORMS)
    for index, grid in enumerate(grids):
        # Coverage varies: a few diligent grids, most middling, some lagging.
        coverage = rng.choice((0.95, 0.85, 0.7, 0.6, 0.45, 0.25))
        promoters = _promoters(index, users)
        for household_id in by_grid.get(grid.id, []):
            if rng.random() > coverage:
                continue  # never visited in the window: on the to-do list
            for _ in range(rng.choice((1, 1, 2, 2, 3, 4)) if coverage > 0.5 else 1):
                occurred = _daytime(rng, stamp, rng.randint(0, days - 1))
                promoter = rng.choice(promoters)
                received = min(stamp, occurred + timedelta(minutes=rng.randint(1, 60 * 30)))
                rows.append({
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "household_id": household_id,
                    "grid_id": grid.id, "promoter_id": promoter.id, "device_id": None, "occurred_at": occurred,
                    "received_at": received, "form": rng.choices(forms, weights)[0],
                    "topics": rng.sample(VISIT_TOPICS, rng.randint(1, 2)), "notes": rng.choice(VISIT_NOTES),
                    "answered_on_spot": rng.random() < 0.3, "case_ids": [], "version": 1, "deleted": False,
                    "updated_at": received,
                })
        if len(rows) >= 10000:
            total += _insert_visits(connection, rows)
            rows = []
    if rows:
        total += _insert_visits(connection, rows)
    return total


def _insert_visits(connection, rows):
    first = allocate_seq(connection, len(rows))
    for offset, row in enumerate(rows):
        row["server_seq"] = first + offset
    connection.execute(insert(Visit), rows)
    record_visits(connection, [(row["household_id"], row["occurred_at"]) for row in rows])
    return len(rows)


# --- cases ------------------------------------------------------------------------------------

# (township index, grid number in the township, days ago opened, steps). Steps: "up" escalates one level
# (by the rightful carrier), "leader" names the county leader, "accept" takes it at the level, "resolve"
# settles it where it is, "rate" records the resident's rating on a later visit, "close" ends it.
SCENARIOS = (
    (0, 0, 1, []), (0, 1, 2, []), (0, 2, 6, []), (0, 3, 9, []),                      # at the promoter; two overdue
    (0, 0, 5, ["up", "accept"]), (0, 1, 11, ["up"]), (0, 6, 3, ["up"]),               # grid group; one overdue
    (0, 0, 8, ["up", "up"]), (0, 2, 16, ["up", "up", "accept"]),                     # association; one overdue
    (0, 1, 12, ["up", "up", "up"]), (0, 7, 30, ["up", "up", "up"]),                   # township center; one overdue
    (0, 0, 20, ["up", "up", "up", "up"]),                                              # county: leader needed
    (0, 2, 25, ["up", "up", "up", "up", "leader"]),                                    # county with a leader
    (0, 0, 40, ["resolve", "rate", "close"]), (0, 1, 35, ["resolve", "rate"]),        # settled in the village
    (0, 3, 50, ["up", "resolve", "rate", "close"]), (0, 6, 28, ["up", "resolve"]),
    (0, 4, 60, ["up", "up", "resolve", "rate", "close"]),
    (0, 0, 70, ["up", "up", "up", "resolve", "rate", "close"]),                        # settled at the township
    (0, 4, 45, ["up", "up", "up", "accept", "resolve", "rate"]),
    # Grid 6's group has no village cadre (harmony.demo): the climb is kept in the timeline, flagged.
    (0, 5, 7, ["up", "up"]),
    (0, 2, 85, ["up", "up", "up", "up", "leader", "resolve", "rate", "close"]),        # settled at the county
    (0, 1, 33, ["resolve", "rate", "reopen"]),                                         # reopened
    (0, 7, 15, ["withdraw"]),
    (1, 0, 2, []), (1, 1, 9, []), (1, 2, 6, ["up"]), (1, 3, 14, ["up", "up"]),      # five-station township
    (1, 4, 40, ["up", "resolve", "rate", "close"]), (1, 5, 22, ["resolve", "rate"]),
    (1, 6, 50, ["up", "up", "up", "up", "leader", "resolve", "rate"]),
)


def _grids_by_township(places):
    townships = {t.id: n for n, t in enumerate(places["townships"])}
    villages = {v.id: townships[v.parent_id] for v in places["villages"]}
    out = {}
    for index, grid in enumerate(places["grids"][:DEMO_GRID_LIMIT]):
        out.setdefault(villages[grid.parent_id], []).append((index, grid))
    return out


def _carrier(grid, level, fallback):
    role = level.get("carrier_member_role")
    if not role:
        return fallback
    team_id = level_owner_team_id(grid, level)
    carrier = db.session.scalar(select(TeamMember.user_id).where(TeamMember.team_id == team_id,
                                                                 TeamMember.member_role == role).limit(1))
    return carrier or fallback


def _seed_cases(places, users, rng, stamp):
    grids = _grids_by_township(places)
    leader = users["demo-county"].id
    count = 0
    for township, nth, days_ago, steps in SCENARIOS:
        candidates = grids.get(township) or []
        if not candidates:
            continue
        index, grid = candidates[nth % len(candidates)]
        category = rng.choice(sorted(CASE_TEMPLATES))
        title, description = rng.choice(CASE_TEMPLATES[category])
        household = db.session.scalar(select(Household).where(Household.grid_id == grid.id)
                                      .order_by(Household.code).offset(rng.randint(0, 20)).limit(1))
        parties = [{"name": household.head_name if household else "王伟", "role": "applicant",
                    **({"household_id": household.id} if household else {})},
                   {"name": "李" + rng.choice("明强芳静"), "role": "respondent"}]
        at = _daytime(rng, stamp, days_ago)
        promoter = _promoters(index, users)[0].id
        case = cases.open_case(SYSTEM, promoter, None, str(uuid.UUID(int=rng.getrandbits(128), version=4)), {
            "grid_id": grid.id, "title": title, "category": category, "description": description,
            "parties": parties, "priority": rng.choice(("normal", "normal", "high", "low")),
            "source": rng.choice(("visit", "visit", "walk_in", "phone", "resident_request"))}, at)
        for step in steps:
            # Matters climb within days, then wait at their level; ratings come on a later visit.
            gap = rng.uniform(5, 10) if step == "rate" else rng.uniform(0.8, 2.5)
            at = min(at + timedelta(days=gap), stamp - timedelta(minutes=5))
            levels = case.ladder_levels
            level = levels[case.level - 1]
            owners = level_owner_ids(grid, level, case.leader_id)
            owner = owners[0] if owners else promoter
            event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            if step == "up":
                kind, data = "escalated", {"to_level": case.level + 1, "reason": "本级多次调解未果，逐级上报。"}
                actor = _carrier(grid, level, owner)
            elif step == "leader":
                kind, data, actor = "leader_assigned", {"leader_id": leader, "team": "县信访局、司法局联合工作组"}, leader
            elif step == "accept":
                kind, data, actor = "accepted", {"level": case.level}, owner
            elif step == "resolve":
                kind, data, actor = "resolved", {"outcome": rng.choice(OUTCOMES), "agreement": "双方签字确认。"}, owner
            elif step == "rate":
                visit = None
                if household is not None:
                    visit = visits.record_visit(SYSTEM, promoter, None, str(uuid.UUID(int=rng.getrandbits(128), version=4)), {
                        "household_id": household.id, "form": "home_visit", "topics": ["mediation"],
                        "notes": "回访调解结果。", "case_ids": [case.id]}, at)
                rating = rng.choice((5, 5, 4, 4, 3, 2))
                kind, actor = "satisfaction", promoter
                data = {"rating": rating, "comment": COMMENTS[min(5 - rating, 4)], **({"visit_id": visit.id} if visit else {})}
            elif step == "close":
                kind, data, actor = "closed", {}, owner
            elif step == "withdraw":
                kind, data, actor = "closed", {"reason": "当事人自行和解，撤回申请。"}, owner
            else:  # reopen
                kind, data, actor = "reopened", {"reason": "协议未履行，当事人再次反映。"}, promoter
            cases.add_event(SYSTEM, actor, None, event_id, case.id, kind, data, at)
        count += 1
    return count
