"""Alert titles and bodies in the recipient's locale (zh-CN by default, en)."""

TEXTS = {
    "zh-CN": {
        "overdue.title": "案件逾期：{case_title}",
        "overdue.body": "「{case_title}」在{level_name}已逾期{overdue}（期限 {deadline}）。{role_note}",
        "due_soon.title": "案件即将到期：{case_title}",
        "due_soon.body": "「{case_title}」在{level_name}将于 {deadline} 到期，还剩{left}。",
        "visit_digest.title": "走访提醒：{count}户超过{days}天未走访",
        "visit_digest.body": "以下网格有住户超过{days}天未走访：{grids}。",
        "team_health.title": "队伍组成问题：{count}项",
        "team_health.body": "本周发现{count}项队伍组成问题，例如：{examples}。",
        "role.owner": "请尽快处理。",
        "role.supervisor": "您是上一级督办人。",
        "role.leader": "您是包案领导。",
        "day": "{n}天", "hour": "{n}小时", "joiner": "",
        "list_sep": "、",
    },
    "en": {
        "overdue.title": "Case overdue: {case_title}",
        "overdue.body": "\"{case_title}\" has been overdue at {level_name} for {overdue} (deadline {deadline}). {role_note}",
        "due_soon.title": "Case due soon: {case_title}",
        "due_soon.body": "\"{case_title}\" is due at {level_name} on {deadline}: {left} left.",
        "visit_digest.title": "Visits: {count} households not visited for {days} days",
        "visit_digest.body": "Households not visited for {days} days in: {grids}.",
        "team_health.title": "Team composition problems: {count}",
        "team_health.body": "{count} team composition problems this week, for example: {examples}.",
        "role.owner": "Please act on it.",
        "role.supervisor": "You supervise the level above.",
        "role.leader": "You are the responsible leader.",
        "day": "{n} d", "hour": "{n} h", "joiner": " ",
        "list_sep": ", ",
    },
}
LOCALES = tuple(TEXTS)
DEFAULT_LOCALE = "zh-CN"


def text(locale, key, **values):
    table = TEXTS.get(locale) or TEXTS[DEFAULT_LOCALE]
    return table[key].format(**values).strip()


def duration(locale, hours):
    """Return "2天3小时" / "2 d 3 h" for a number of hours (rounded down to the hour)."""
    table = TEXTS.get(locale) or TEXTS[DEFAULT_LOCALE]
    whole = max(int(hours), 0)
    days, rest = divmod(whole, 24)
    parts = []
    if days:
        parts.append(table["day"].format(n=days))
    if rest or not days:
        parts.append(table["hour"].format(n=rest))
    return table["joiner"].join(parts)


def joined(locale, items):
    table = TEXTS.get(locale) or TEXTS[DEFAULT_LOCALE]
    return table["list_sep"].join(items)
