"""The demo's words and numbers: the units of a street, what they offer, what communities need, meeting texts."""

from alliances.models import (
    MemberUnit,
    ResourceKind,
)

UNITS = 30
PROJECT_MONTHS = 8


PROJECTS = 57


NEEDS_PER_COMMUNITY = 8


K = MemberUnit.Kind


# (name, kind, where): where is "street" or a community number; {s} is the street's
# short name, {c} the community's.
UNIT_SPECS = [
    ("{s}派出所", K.AGENCY, "street"),
    ("{s}司法所", K.AGENCY, "street"),
    ("{s}市场监管所", K.AGENCY, "street"),
    ("国网{s}供电所", K.ENTERPRISE, "street"),
    ("中国银行{s}支行", K.ENTERPRISE, "street"),
    ("{s}社会工作服务中心", K.SOCIAL, "street"),
    ("{c}小学", K.SCHOOL, 1),
    ("{c}大药房", K.MERCHANT, 1),
    ("区第二人民医院", K.HOSPITAL, 2),
    ("{c}农贸市场", K.MERCHANT, 2),
    ("{c}中学", K.SCHOOL, 3),
    ("{c}物业服务公司", K.ENTERPRISE, 3),
    ("{c}社区卫生服务站", K.HOSPITAL, 4),
    ("{c}老年协会", K.SOCIAL, 4),
    ("{c}幼儿园", K.SCHOOL, 5),
    ("{c}便民超市", K.MERCHANT, 5),
    ("{s}税务分局", K.AGENCY, 6),
    ("{c}志愿者协会", K.SOCIAL, 6),
    ("中国邮政{c}支局", K.ENTERPRISE, 7),
    ("{c}餐饮店", K.MERCHANT, 7),
    ("{s}消防救援站", K.AGENCY, 8),
    ("{c}物业服务公司", K.ENTERPRISE, 8),
    ("市第十一中学", K.SCHOOL, 9),
    ("{c}家电维修部", K.MERCHANT, 9),
    ("{c}口腔诊所", K.HOSPITAL, 10),
    ("{c}红十字服务站", K.SOCIAL, 10),
    ("{s}燃气服务站", K.ENTERPRISE, 11),
    ("{c}书店", K.MERCHANT, 11),
    ("{c}律师事务所", K.SOCIAL, 12),
    ("{c}商务酒店", K.MERCHANT, 12),
]


FORMER_UNIT = ("{s}原建材市场", K.MERCHANT)


R = ResourceKind


RESOURCES_BY_UNIT_KIND = {
    K.AGENCY: [
        (R.SKILLS, "法律和反诈宣讲", 12, "场"),
        (R.VOLUNTEERS, "在职党员志愿者", 20, "人"),
        (R.VENUE, "会议室", 1, "间"),
    ],
    K.ENTERPRISE: [
        (R.FUNDS, "共建资金", 30000, "元"),
        (R.VOLUNTEERS, "职工志愿服务队", 25, "人"),
        (R.EQUIPMENT, "应急照明和发电设备", 4, "套"),
        (R.VENUE, "职工之家", 1, "间"),
    ],
    K.SCHOOL: [
        (R.VENUE, "操场和教室（周末开放）", 3, "间"),
        (R.VOLUNTEERS, "教师志愿者", 15, "人"),
        (R.SKILLS, "课后辅导", 20, "次"),
    ],
    K.HOSPITAL: [
        (R.SKILLS, "义诊和健康讲座", 12, "场"),
        (R.EQUIPMENT, "血压血糖检测设备", 6, "台"),
        (R.VOLUNTEERS, "医护志愿者", 10, "人"),
    ],
    K.SOCIAL: [
        (R.VOLUNTEERS, "社工和志愿者", 30, "人"),
        (R.SKILLS, "心理疏导和个案服务", 10, "次"),
        (R.FUNDS, "公益项目资金", 10000, "元"),
    ],
    K.MERCHANT: [
        (R.FUNDS, "爱心捐助", 5000, "元"),
        (R.EQUIPMENT, "便民服务设施", 2, "套"),
        (R.VENUE, "店面活动区", 1, "处"),
    ],
}


NEEDS_BY_KIND = {
    R.VENUE: ["老年助餐点场地", "四点半课堂教室", "居民议事厅", "文艺队排练场地", "青少年暑期活动场所"],
    R.FUNDS: ["困难家庭助学金", "老旧楼道照明改造", "独居老人节日慰问", "加装电梯前期补助", "小区停车位划线"],
    R.SKILLS: ["法律咨询进社区", "老年人防诈骗讲座", "家电义务维修", "心理健康讲座", "慢性病健康管理"],
    R.VOLUNTEERS: ["独居老人定期探访", "背街小巷环境整治", "垃圾分类督导", "助老陪诊服务", "文明交通劝导"],
    R.EQUIPMENT: ["社区应急广播", "健身器材更新", "电动车集中充电设施", "楼道消防器材", "社区血压检测点"],
}


COVENANT = """第一条 联盟成员单位坚持党建引领，共驻共建、资源共享、优势互补、共同发展。
第二条 各成员单位如实登记本单位可提供的场地、资金、技能、志愿者和设备资源，并及时更新。
第三条 围绕辖区需求清单认领项目，按期报送项目进展，接受群众评议。
第四条 按月轮值主席单位召集联席会议，成员单位应派员参加，因故不能参加须提前请假。
第五条 会上提出的问题明确责任单位和办结期限，办理情况在下次会议通报。
第六条 在职党员到居住社区报到，参加志愿服务。
第七条 本公约自签署之日起施行。"""


AGENDAS = [
    "一、通报上月项目清单进展；二、研究本月热点需求的认领；三、轮值主席单位作工作交流。",
    "一、学习上级有关党建引领基层治理的文件；二、审议新增需求与资源匹配建议；三、部署本月志愿服务。",
    "一、通报微心愿认领和完成情况；二、协调项目推进中的困难；三、议定下月联席会议轮值安排。",
]


MINUTES = [
    "会议由轮值主席单位{chair}主持。各单位通报了项目进展，对本月新增需求逐项研究，明确了牵头单位和完成时限。",
    "轮值主席单位{chair}介绍了共建经验。会议听取了热点需求办理情况汇报，对进展滞后的项目提出督办意见。",
    "会议由{chair}主持，通报了上次会议问题的办理情况，研究了新提出的问题并明确了责任单位。",
]


PROBLEMS = [
    "小区夜间照明不足，老人出行不便",
    "学校门口上下学时段交通拥堵",
    "部分楼道堆放杂物存在消防隐患",
    "农贸市场周边占道经营反弹",
    "独居老人就医缺少陪护",
    "老旧小区雨季下水不畅",
    "电动车飞线充电屡禁不止",
    "部分项目资金拨付进度慢",
]


FOLLOW_UPS = [
    "已与相关部门对接，制定整改方案。",
    "已安排专人现场查看，正在协调施工。",
    "已完成整改，居民反映良好。",
]


UPDATE_TEXTS = [
    "完成前期摸底，走访居民 {n} 户，确定了服务对象名单。",
    "开展第一次集中服务活动，服务居民 {n} 人次。",
    "协调场地和人员，活动按计划推进，本次服务 {n} 人次。",
    "邀请社区党员参加，完成阶段任务，收集居民意见 {n} 条。",
    "总结前期做法，优化服务流程，本期受益居民 {n} 人。",
]
