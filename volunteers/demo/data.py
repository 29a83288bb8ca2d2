"""The demo's numbers and words: logins per street, team kinds, work units, activity templates."""

from volunteers.models import (
    Activity,
)

VOLUNTEER_LOGINS = 200  # the logins grids/demo.py creates per street


PARTY_LOGINS = 60  # volunteer1…60 are party members; 1…25 lead the teams


OTHER_VOLUNTEERS = 450  # residents who volunteer without a login


ACTIVITY_DAYS = 240  # eight months


TARGET_PERSON_TIMES = 13_000


UNVERIFIED_DAYS = 4  # the last few days' hours still wait for verification


TEAM_KINDS = ("银龄", "巾帼", "青年", "邻里守望", "文明实践", "助残", "平安", "环保")


WORK_UNITS = (
    "区人民政府办公室",
    "区人民医院",
    "区妇幼保健院",
    "市第三十一中学",
    "区实验小学",
    "区税务局",
    "公安分局",
    "区教育局",
    "区市场监督管理局",
    "区卫生健康局",
    "国网供电公司城区分公司",
    "中国银行城关支行",
    "兰州银行七里河支行",
    "中国移动城区分公司",
    "市自来水公司",
    "石化公司机关",
    "交通大学",
    "城市学院",
    "中铁建设集团",
    "区司法局",
    "区民政局",
    "区人社局",
    "区住建局",
    "街道办事处",
)


ACTIVITY_TEMPLATES = (
    (Activity.Category.ELDERLY, "走访慰问空巢老人", "上门陪伴聊天，打扫卫生，了解老人需求并登记。"),
    (Activity.Category.ELDERLY, "助老理发义剪", "为辖区高龄老人免费理发，行动不便的上门服务。"),
    (Activity.Category.HEALTH, "义诊与健康讲座", "测量血压血糖，讲解慢病管理和合理用药。"),
    (Activity.Category.HEALTH, "家庭医生签约宣传", "在红色驿站设点宣传家庭医生签约服务。"),
    (Activity.Category.LAW, "法律咨询进社区", "律师志愿者现场解答婚姻家庭、劳动用工等法律问题。"),
    (Activity.Category.LAW, "反诈宣传", "入户和设点宣传防范电信网络诈骗知识，发放宣传册。"),
    (Activity.Category.SAFETY, "消防安全隐患排查", "协助检查楼道堆物、电动车充电和燃气使用安全。"),
    (Activity.Category.SAFETY, "平安巡逻", "夜间在小区和沿街商铺巡逻，劝导不文明行为。"),
    (Activity.Category.ENVIRONMENT, "垃圾分类督导", "在投放点值守，指导居民正确分类投放。"),
    (Activity.Category.ENVIRONMENT, "清洁家园", "清理小区死角垃圾、小广告和楼道杂物。"),
    (Activity.Category.EDUCATION, "四点半课堂", "为双职工家庭的孩子辅导作业、组织阅读。"),
    (Activity.Category.EDUCATION, "老年智能手机培训", "教老人使用健康码、视频通话和网上缴费。"),
    (Activity.Category.CULTURE, "文艺演出服务", "协助社区文艺汇演的场地布置和秩序维护。"),
    (Activity.Category.CIVILITY, "文明交通劝导", "在路口协助交警劝导行人和非机动车遵守交通规则。"),
)


START_TIMES = ((8, 30), (9, 0), (9, 30), (14, 0), (14, 30), (15, 0), (19, 0))


PARTY_MEMBERS_AT_UNITS = 0.4  # of the in-service party members, working at a member unit
