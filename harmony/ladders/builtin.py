"""The built-in ladders. Places choose one (or their own); nothing here is hard-wired elsewhere.

`tier` says where a level sits for the slogan "small matters stay in the village, big
matters stay in the township": village | township | county.
`carrier_member_role`: who must carry a case up from this level (domain rule: the
village cadre of the grid group, the township liaison cadre of the association).
"""

FIVE_LEVEL = {
    "key": "five_level",
    "name_zh": "五级联动，逐级化解",
    "name_en": "Five-level linkage",
    "day_kind": "calendar",
    "levels": [
        {"key": "promoter", "name_zh": "和谐促进员", "name_en": "Promoter", "tier": "village",
         "owner_role": "promoter", "owner_team_kind": None, "days": 3, "remind_days": 1,
         "leader_required": False, "carrier_member_role": None},
        {"key": "grid_group", "name_zh": "和谐促进组", "name_en": "Grid group", "tier": "village",
         "owner_role": "grid_head", "owner_team_kind": "grid_group", "days": 5, "remind_days": 1,
         "leader_required": False, "carrier_member_role": "village_cadre"},
        {"key": "association", "name_zh": "和谐促进会", "name_en": "Village association", "tier": "village",
         "owner_role": "village_cadre", "owner_team_kind": "association", "days": 7, "remind_days": 2,
         "leader_required": False, "carrier_member_role": "liaison_cadre"},
        {"key": "township_center", "name_zh": "乡镇综治工作中心", "name_en": "Township center", "tier": "township",
         "owner_role": "township_staff", "owner_team_kind": None, "days": 15, "remind_days": 3,
         "leader_required": False, "carrier_member_role": None},
        {"key": "county", "name_zh": "县相关部门（领导包案）", "name_en": "County (leader case responsibility)",
         "tier": "county", "owner_role": "county_leader", "owner_team_kind": None, "days": 30, "remind_days": 5,
         "leader_required": True, "carrier_member_role": None},
    ],
}

FIVE_STATION = {
    "key": "five_station",
    "name_zh": "五站式工作法",
    "name_en": "Five-station method",
    "day_kind": "working",
    "levels": [
        {"key": "reception_room", "name_zh": "村民情接待室", "name_en": "Village reception room", "tier": "village",
         "owner_role": "village_cadre", "owner_team_kind": "association", "days": 5, "remind_days": 1,
         "leader_required": False, "carrier_member_role": None},
        {"key": "analysis_meeting", "name_zh": "乡镇民情分析协调会", "name_en": "Township analysis meeting",
         "tier": "township", "owner_role": "township_staff", "owner_team_kind": None, "days": 7, "remind_days": 2,
         "leader_required": False, "carrier_member_role": None},
        {"key": "county_visits", "name_zh": "县部门民情下访", "name_en": "County departments' visits",
         "tier": "county", "owner_role": "county_staff", "owner_team_kind": None, "days": 10, "remind_days": 2,
         "leader_required": False, "carrier_member_role": None},
        {"key": "relay_station", "name_zh": "县民情中间站（交办、查办、督办）", "name_en": "County relay station",
         "tier": "county", "owner_role": "county_staff", "owner_team_kind": None, "days": 10, "remind_days": 2,
         "leader_required": False, "carrier_member_role": None},
        {"key": "onsite_office", "name_zh": "县民情现场办公会", "name_en": "County on-site office meeting",
         "tier": "county", "owner_role": "county_leader", "owner_team_kind": None, "days": 20, "remind_days": 3,
         "leader_required": True, "carrier_member_role": None},
    ],
}

BUILTIN_LADDERS = (FIVE_LEVEL, FIVE_STATION)
DEFAULT_LADDER_KEY = FIVE_LEVEL["key"]
