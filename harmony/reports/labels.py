"""Column headers and titles in zh-CN and en (identifiers stay English)."""
import re

LANGS = ("zh-CN", "en")

TITLES = {
    "coverage": ("走访覆盖率", "Visit coverage"),
    "resolution": ("就地化解（小事不出村，大事不出镇）", "Settled close to home"),
    "speed": ("化解时效", "Speed of resolution"),
    "satisfaction": ("群众满意度", "Residents' satisfaction"),
    "teams": ("队伍与网格", "Teams and grids"),
    "categories": ("案件类别", "Case categories"),
    # Sections of the teams report.
    "teams.by_team": ("各促进组/促进会化解数", "Resolved per team"),
    "teams.by_promoter": ("各促进员化解数", "Resolved per promoter"),
    "teams.problems": ("队伍构成问题", "Composition problems"),
}

CATEGORIES = {
    "neighbour": ("邻里纠纷", "Neighbours"),
    "family": ("婚姻家庭", "Family"),
    "land_housing": ("土地房屋", "Land and housing"),
    "labour_wages": ("劳资欠薪", "Labour and wages"),
    "medical": ("医患纠纷", "Medical"),
    "traffic_accident": ("交通事故", "Traffic accidents"),
    "environment": ("环境污染", "Environment"),
    "public_services": ("公共服务", "Public services"),
    "other": ("其他", "Other"),
}

TIERS = {"village": ("村级", "village"), "township": ("镇级", "township"), "county": ("县级", "county")}

FIXED = {
    "place_code": ("地区代码", "Place code"),
    "place_name": ("地区", "Place"),
    "total": ("合计", "Total"),
    # coverage
    "households": ("户数", "Households"),
    "households_visited": ("已走访户数", "Households visited"),
    "coverage_pct": ("走访覆盖率(%)", "Coverage (%)"),
    "visits": ("走访次数", "Visits"),
    "promoters": ("促进员人数", "Promoters"),
    "promoters_idle": ("未走访的促进员", "Promoters with no visits"),
    # resolution
    "opened": ("新增案件", "Cases opened"),
    "resolved": ("化解案件", "Cases resolved"),
    "open": ("在办案件（当前）", "Open now"),
    # speed
    "median_days": ("化解天数中位数", "Median days to resolve"),
    "p90_days": ("化解天数90分位", "90th percentile days"),
    "overdue": ("当前超期", "Overdue now"),
    "overdue_pct": ("超期占比(%)", "Overdue share (%)"),
    # satisfaction
    "rated": ("回访评价数", "Follow-ups (ratings)"),
    "followed_up_pct": ("回访率(%)", "Followed up (%)"),
    "mean_rating": ("平均满意度(1–5)", "Mean rating (1–5)"),
    # teams
    "teams": ("促进组/促进会数", "Teams"),
    "resolved_by_team": ("由促进组/会化解", "Resolved by a team"),
    "problems": ("构成问题", "Composition problems"),
    "grids": ("网格数", "Grids"),
    "grids_out_of_range": ("户数超出范围的网格", "Grids outside size range"),
    "team_id": ("编号", "Team id"),
    "team_name": ("名称", "Team"),
    "team_kind": ("类型", "Kind"),
    "user_id": ("编号", "User id"),
    "display_name": ("姓名", "Name"),
    "problem": ("问题", "Problem"),
    "message": ("说明", "Details"),
}

_LEVEL_KEY = re.compile(r"^(resolved|open|median_days|p90_days|overdue|overdue_pct|rated|mean_rating)_l(\d+)$")
_TIER_KEY = re.compile(r"^(resolved|share)_(village|township|county)(_pct)?$")
_CATEGORY_KEY = re.compile(r"^(n|pct)_(.+)$")
_LEVEL_PREFIX = {
    "resolved": ("第{n}级化解", "Resolved at level {n}"),
    "open": ("在办·第{n}级", "Open at level {n}"),
    "median_days": ("第{n}级天数中位数", "Median days, level {n}"),
    "p90_days": ("第{n}级天数90分位", "90th pct days, level {n}"),
    "overdue": ("超期·第{n}级", "Overdue at level {n}"),
    "overdue_pct": ("超期占比·第{n}级(%)", "Overdue share, level {n} (%)"),
    "rated": ("回访数·第{n}级", "Ratings, level {n}"),
    "mean_rating": ("满意度·第{n}级", "Mean rating, level {n}"),
}


def _pick(pair, lang):
    return pair[0] if lang == "zh-CN" else pair[1]


def label(key, lang):
    """Return the column header of `key` in `lang`."""
    if key in FIXED:
        return _pick(FIXED[key], lang)
    match = _LEVEL_KEY.match(key)
    if match:
        return _pick(_LEVEL_PREFIX[match.group(1)], lang).format(n=match.group(2))
    match = _TIER_KEY.match(key)
    if match:
        tier = _pick(TIERS[match.group(2)], lang)
        if match.group(1) == "resolved":
            return f"{tier}化解" if lang == "zh-CN" else f"Settled at {tier} tier"
        return f"{tier}化解占比(%)" if lang == "zh-CN" else f"Share settled at {tier} tier (%)"
    match = _CATEGORY_KEY.match(key)
    if match:
        name = _pick(CATEGORIES.get(match.group(2), (match.group(2), match.group(2))), lang)
        if match.group(1) == "n":
            return name
        return f"{name}占比(%)" if lang == "zh-CN" else f"{name} share (%)"
    return key


def title(key, lang):
    return _pick(TITLES[key], lang)
