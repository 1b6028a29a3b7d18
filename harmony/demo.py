"""The demo county: believable places, people, teams and households, made quickly.

Households are written with Core bulk inserts so `--households 1000000` takes minutes.
"""
import random
import uuid
from datetime import date

from sqlalchemy import func, insert, select

from harmony.clock import now
from harmony.extensions import db
from harmony.households.models import CARE_TAGS, Household
from harmony.ladders.service import ensure_builtin_ladders
from harmony.people.models import RoleAssignment, User
from harmony.people.passwords import hash_password
from harmony.places.models import Place
from harmony.places.service import add_place
from harmony.teams.models import Team, TeamMember
from harmony.versioning import allocate_seq

DEMO_PASSWORD = "harmony-demo"
DEMO_ACCOUNTS = (
    ("demo-promoter", "promoter", "网格促进员（第一网格）"),
    ("demo-gridhead", "grid_head", "网格长（第一网格）"),
    ("demo-village", "village_cadre", "村干部（第一村）"),
    ("demo-township", "township_staff", "乡镇综治中心工作人员"),
    ("demo-county", "county_leader", "县领导（包案）"),
    ("demo-admin", "admin", "系统管理员"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国海燕玉兰志红金凤文斌建华春梅德明晓东小红"
TOWNSHIPS = (("枫桥镇", "Fengqiao"), ("安华镇", "Anhua"))
VILLAGES = (("枫源村", "Fengyuan"), ("陈家村", "Chenjia"), ("新居民社区", "Xinjumin"),
            ("檀溪村", "Tanxi"), ("安华社区", "Anhua Community"), ("工业园区", "Industrial Park"))
GRID_SUBKINDS = ("residential", "residential", "residential", "migrant_settlement")
UNIT_NAMES = (("一组", "villager_group"), ("二组", "villager_group"), ("三号楼道", "stairwell"))
STREETS = ("中心路", "枫溪路", "新华街", "河埠头", "学堂弄", "后山路", "建设路", "桥头街")


def person_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def is_seeded():
    return db.session.scalar(select(func.count()).select_from(Place)) > 0


def seed_demo(households=3000, rng_seed=2010, password_profile="default", progress=None):
    """Create the demo county; return {"accounts": [(username, role, place)], ...}."""
    rng = random.Random(rng_seed)
    stamp = now()
    pw_hash = hash_password(DEMO_PASSWORD, password_profile)  # one hash: every demo account shares it

    ladders = ensure_builtin_ladders()
    city = add_place("C01", "city", "示范市", name_en="Demo City")
    county = add_place("C01-X01", "county", "和谐县", city, name_en="Harmony County")
    grids_per_village = max(4, -(-households // (len(VILLAGES) * 125)))
    places = {"city": city, "county": county, "townships": [], "villages": [], "grids": []}
    for t, (t_zh, t_en) in enumerate(TOWNSHIPS, 1):
        # The second township runs the five-station method: no uniform model (不强求一律).
        ladder_id = ladders["five_station"].id if t == 2 else None
        township = add_place(f"{county.code}-T{t:02d}", "township", t_zh, county, name_en=t_en, ladder_id=ladder_id)
        places["townships"].append(township)
        for v, (v_zh, v_en) in enumerate(VILLAGES[(t - 1) * 3:t * 3], 1):
            village = add_place(f"{township.code}-V{v:02d}", "village", v_zh, township, name_en=v_en)
            places["villages"].append(village)
            for g in range(1, grids_per_village + 1):
                subkind = GRID_SUBKINDS[(g - 1) % len(GRID_SUBKINDS)] if v_en != "Industrial Park" else "enterprise_workshop"
                grid = add_place(f"{village.code}-G{g:03d}", "grid", f"{v_zh}第{g}网格", village,
                                 name_en=f"{v_en} grid {g}", subkind=subkind)
                places["grids"].append(grid)
                if len(places["grids"]) <= 200:  # units matter for the demo, not for bulk data
                    for u, (u_zh, u_kind) in enumerate(UNIT_NAMES, 1):
                        add_place(f"{grid.code}-U{u}", "unit", u_zh, grid, subkind=u_kind)

    users = {}

    def account(username, role, place, display_name=None, **profile):
        user = User(username=username, password_hash=pw_hash, display_name=display_name or person_name(rng),
                    created_at=stamp, phone=f"13{rng.randint(100000000, 999999999)}", **profile)
        user.roles.append(RoleAssignment(role=role, place_id=place.id))
        db.session.add(user)
        users[username] = user
        return user

    first_grid, first_village = places["grids"][0], places["villages"][0]
    first_township = places["townships"][0]
    bound = {"promoter": first_grid, "grid_head": first_grid, "village_cadre": first_village,
             "township_staff": first_township, "county_leader": county, "admin": city}
    for username, role, label in DEMO_ACCOUNTS:
        extra = {}
        if role == "promoter":
            extra = dict(appointment_date=date(2025, 3, 1), permit_no="HX-P-0001", contact_card_no="LXK-0001")
        account(username, role, bound[role], person_name(rng), **extra)
    account("county-staff", "county_staff", county)
    for t, township in enumerate(places["townships"]):
        if t:
            account(f"township-{t + 1}", "township_staff", township)
    liaisons = {}
    for v, village in enumerate(places["villages"]):
        if v:
            account(f"village-{v + 1}", "village_cadre", village)
        township = places["townships"][v // 3]
        liaisons[village.id] = account(f"liaison-{v + 1}", "liaison_cadre", village)
        liaisons[village.id].roles.append(RoleAssignment(role="township_staff", place_id=township.id))
    for g, grid in enumerate(places["grids"][:200]):
        if g:
            account(f"promoter-{g + 1}", "promoter", grid, appointment_date=date(2025, 3, 1),
                    permit_no=f"HX-P-{g + 1:04d}", contact_card_no=f"LXK-{g + 1:04d}")
            account(f"gridhead-{g + 1}", "grid_head", grid)
        # A second promoter per grid, bound to a unit (stairwell head).
        unit = grid.children[2] if grid.children else grid
        account(f"promoter-{g + 1}b", "promoter", unit)
    db.session.flush()

    village_cadres = {}
    for v, village in enumerate(places["villages"]):
        village_cadres[village.id] = users["demo-village" if v == 0 else f"village-{v + 1}"]
        team = Team(kind="association", place_id=village.id, name=f"{village.name_zh}和谐促进会")
        team.members.append(TeamMember(user_id=village_cadres[village.id].id, member_role="head"))
        if v != 4:  # one association left without its liaison cadre: teams/health shows it
            team.members.append(TeamMember(user_id=liaisons[village.id].id, member_role="liaison_cadre"))
        db.session.add(team)
    for g, grid in enumerate(places["grids"][:200]):
        team = Team(kind="grid_group", place_id=grid.id, name=f"{grid.name_zh}和谐促进组")
        head = users["demo-gridhead" if g == 0 else f"gridhead-{g + 1}"]
        team.members.append(TeamMember(user_id=head.id, member_role="head"))
        if g != 5:  # one group without a village cadre
            team.members.append(TeamMember(user_id=village_cadres[grid.parent_id].id, member_role="village_cadre"))
        for username in ("demo-promoter" if g == 0 else f"promoter-{g + 1}", f"promoter-{g + 1}b"):
            team.members.append(TeamMember(user_id=users[username].id, member_role="member"))
        db.session.add(team)
    db.session.flush()

    insert_households(places["grids"], households, rng, stamp, progress)
    return {"places": places, "users": users}


def insert_households(grids, total, rng, stamp, progress=None, chunk=20000):
    """Spread `total` households over `grids` with bulk inserts (sizes vary around 125)."""
    weights = [rng.uniform(0.75, 1.25) for _ in grids]
    scale = total / sum(weights)
    sizes = [int(w * scale) for w in weights]
    sizes[0] += total - sum(sizes)
    connection = db.session.connection()
    rows, done = [], 0
    for grid, size in zip(grids, sizes):
        units = [c.id for c in grid.children] if grid.children else [None]
        for n in range(size):
            tags = [t for t, p in zip(CARE_TAGS, (0.08, 0.05, 0.1, 0.03, 0.02)) if rng.random() < p]
            rows.append({
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "grid_id": grid.id,
                "unit_id": units[n % len(units)], "code": f"{grid.code}-H{n + 1:04d}",
                "address": f"{rng.choice(STREETS)}{rng.randint(1, 300)}号", "head_name": person_name(rng),
                "phone": None if rng.random() < 0.3 else f"13{rng.randint(100000000, 999999999)}",
                "member_count": rng.randint(1, 6), "care_tags": tags, "active": True, "created_at": stamp,
                "version": 1, "deleted": False, "updated_at": stamp,
            })
            if len(rows) >= chunk:
                done += _flush_households(connection, rows)
                if progress:
                    progress(len(rows))
                rows = []
    if rows:
        done += _flush_households(connection, rows)
        if progress:
            progress(len(rows))
    return done


def _flush_households(connection, rows):
    first = allocate_seq(connection, len(rows))
    for offset, row in enumerate(rows):
        row["server_seq"] = first + offset
    connection.execute(insert(Household), rows)
    return len(rows)
