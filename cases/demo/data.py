"""The demo's catalogue and texts: categories with their limits, departments, who answers what, words."""

import datetime

from cases.models import (
    Level,
)

CASES_PER_YEAR = 5_000
DAYS = 365
LIAISONS_PER_DEPARTMENT = 2

# name, first level, hours to accept or sign, hours to finish, share of the cases
CATEGORIES = (
    ("环境卫生", Level.GRID, 4, 16, 30),
    ("市政设施", Level.GRID, 4, 40, 22),
    ("治安隐患", Level.COMMUNITY, 2, 16, 8),
    ("矛盾纠纷", Level.GRID, 4, 40, 12),
    ("物业管理", Level.GRID, 8, 40, 18),
    ("民生服务", Level.COMMUNITY, 8, 40, 10),
)
DEPARTMENTS = (
    "住建",
    "城管",
    "派出所",
    "市场监管",
    "供电",
    "通讯",
    "水务",
    "燃气",
    "环卫",
    "园林",
    "交通",
    "卫健",
)
# Who the street blows the whistle for, per category.
RESPONDERS = {
    "环境卫生": ("环卫", "城管", "园林"),
    "市政设施": ("住建", "水务", "燃气", "供电", "通讯", "交通"),
    "治安隐患": ("派出所", "城管"),
    "矛盾纠纷": ("派出所", "市场监管"),
    "物业管理": ("住建", "市场监管"),
    "民生服务": ("卫健", "供电", "水务"),
}
TEXTS = {
    "环境卫生": ("3号楼门口的垃圾三天没人清运", "小区绿化带里有人乱倒建筑垃圾", "楼道里堆满了杂物和纸箱"),
    "市政设施": ("路口的路灯坏了一个多星期", "人行道地砖松动，老人容易绊倒", "雨水井盖缺失，晚上很危险"),
    "治安隐患": ("楼道里有电动车充电，飞线拉到窗外", "小区后门的监控坏了", "有陌生人挨家挨户推销保健品"),
    "矛盾纠纷": ("楼上漏水到楼下，两家协商不成", "邻居在公共走廊堆放物品引起争执", "广场舞音量太大影响休息"),
    "物业管理": ("电梯经常停运，物业迟迟不修", "小区大门门禁坏了", "物业收费不公示，居民有意见"),
    "民生服务": ("独居老人家里暖气不热", "希望社区协调上门办理高龄补贴", "小区附近缺少便民早餐点"),
}
RESULTS = (
    "已清理完毕，现场恢复整洁",
    "已维修完成并试用正常",
    "已上门协调，双方达成一致",
    "已联系相关单位处理到位",
)
RETURN_REASONS = ("不属于本单位职责范围", "产权不清，需要街道先行协调")
UNRESOLVED = ("问题还在，没有彻底解决", "过了两天又坏了")
COMMENTS = ("处理很及时，谢谢", "满意", "师傅很负责", "", "", "")

HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
