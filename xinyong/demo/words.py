"""Word lists and profiles for the synthetic province.

Nothing here is policy: the categories, their facts, severities and subject kinds come from the
active policy version. This module only says how a *demo* fills them plausibly — which
departments report which category, what a penalty's wording looks like, how amounts are spread.
A category or fact the lists below do not know is still filled, from its type and its name
(see :mod:`xinyong.demo.generator`), so the demo keeps working when the credit office edits the
catalog.

Placeholders in values: ``{year}`` (of the decision), ``{city}``, ``{cs}`` (city short name),
``{county}``, ``{region}`` (the reporting department's region prefix), ``{dept}``, ``{subject}``,
``{n}`` (a small number), ``{seq}`` (a serial), ``{abbr}`` (the department's document prefix),
``{court}`` (the court code in case numbers, 浙0106), and any fact key already filled.
"""

from __future__ import annotations

# --- the province ---------------------------------------------------------------------------

# Resident population (millions, 2020 census, rounded): how people and firms spread over cities.
CITY_WEIGHTS = {
    "330100": 12.0, "330200": 9.4, "330300": 9.6, "330400": 5.4, "330500": 3.4, "330600": 5.3,
    "330700": 7.1, "330800": 2.3, "330900": 1.2, "331000": 6.6, "331100": 2.5,
}
# The one-character abbreviation used in document numbers (杭政发, 甬市监罚…).
CITY_ABBR = {
    "330100": "杭", "330200": "甬", "330300": "温", "330400": "嘉", "330500": "湖", "330600": "绍",
    "330700": "金", "330800": "衢", "330900": "舟", "331000": "台", "331100": "丽",
}
# County codes created recently: people born before carry the predecessor's code in their
# identity number (identity numbers keep the code of the place that issued them).
NEW_COUNTY_PREDECESSOR = {
    "330113": ("330184", 2021),  # 临平区 ← 余杭市/余杭区 area
    "330114": ("330104", 2021),  # 钱塘区 ← 江干区
    "330383": ("330327", 2019),  # 龙港市 ← 苍南县
    "331083": ("331021", 2017),  # 玉环市 ← 玉环县
    "330112": ("330185", 2017),  # 临安区 ← 临安市
    "330111": ("330183", 2015),  # 富阳区 ← 富阳市
}

# --- government bodies ------------------------------------------------------------------------
# key: (province, city, county) name templates (None: no such body at that level), USCC prefix.
# {r} the region's own prefix (浙江省 / 杭州市 / 杭州市西湖区 or 桐庐县), {c} the city's name,
# {s} the county's short name (西湖), {cs} the city's short name (杭州).
DEPARTMENTS: dict[str, tuple[str | None, str | None, str | None, str]] = {
    "gov": ("{r}人民政府", "{r}人民政府", "{r}人民政府", "11"),
    "ndrc": ("{r}发展和改革委员会", "{r}发展和改革委员会", "{r}发展和改革局", "11"),
    "econ": ("{r}经济和信息化厅", "{r}经济和信息化局", "{r}经济和信息化局", "11"),
    "edu": ("{r}教育厅", "{r}教育局", "{r}教育局", "11"),
    "police": ("{r}公安厅", "{r}公安局", "{r}公安局", "11"),
    "civil": ("{r}民政厅", "{r}民政局", "{r}民政局", "11"),
    "finance": ("{r}财政厅", "{r}财政局", "{r}财政局", "11"),
    "hrss": ("{r}人力资源和社会保障厅", "{r}人力资源和社会保障局", "{r}人力资源和社会保障局", "11"),
    "land": ("{r}自然资源厅", "{r}自然资源和规划局", "{r}自然资源和规划局", "11"),
    "eco": ("{r}生态环境厅", "{r}生态环境局", "{c}生态环境局{s}分局", "11"),
    "housing": ("{r}住房和城乡建设厅", "{r}住房和城乡建设局", "{r}住房和城乡建设局", "11"),
    "transport": ("{r}交通运输厅", "{r}交通运输局", "{r}交通运输局", "11"),
    "commerce": ("{r}商务厅", "{r}商务局", "{r}商务局", "11"),
    "health": ("{r}卫生健康委员会", "{r}卫生健康委员会", "{r}卫生健康局", "11"),
    "emergency": ("{r}应急管理厅", "{r}应急管理局", "{r}应急管理局", "11"),
    "market": ("{r}市场监督管理局", "{r}市场监督管理局", "{r}市场监督管理局", "11"),
    "tax": ("国家税务总局{r}税务局", "国家税务总局{r}税务局", "国家税务总局{r}税务局", "11"),
    "enforcement": (None, "{r}综合行政执法局", "{r}综合行政执法局", "11"),
    "court": ("{r}高级人民法院", "{r}中级人民法院", "{r}人民法院", "11"),
    "discipline": ("{r}纪委监委", "{r}纪委监委", "{r}纪委监委", "11"),
    "organisation": ("中共{r}委组织部", "中共{r}委组织部", "中共{r}委组织部", "11"),
    "civilisation": ("{r}精神文明建设委员会办公室", "{r}精神文明建设委员会办公室", "{r}精神文明建设委员会办公室", "11"),
    "youth": ("共青团{r}委员会", "共青团{r}委员会", "共青团{r}委员会", "13"),
    # public institutions that report records (事业单位, 12)
    "exam": ("{r}教育考试院", "{r}教育考试院", None, "12"),
    "blood": ("{r}血液中心", "{r}中心血站", None, "12"),
    "college": (None, "{cs}职业技术学院", None, "12"),
    # 慈善组织: a social organisation (社会团体, 51) — a 法人和其他组织, not a government body
    "charity": ("{r}慈善联合总会", "{r}慈善总会", "{r}慈善总会", "51"),
}
# The department a reporting body hangs under (parent_id); the rest hang under the government.
INSTITUTION_PARENT = {"exam": "edu", "blood": "health", "college": "edu"}

# Words in a category's ``reporting_departments`` → the demo departments that report it. Used
# for categories the profiles below do not name, so a new category still gets sensible sources.
REPORTER_WORDS: list[tuple[str, str]] = [
    ("人民法院", "court"), ("法院", "court"), ("市场监督", "market"), ("税务", "tax"),
    ("财政", "finance"), ("教育考试", "exam"), ("教育", "edu"), ("高等学校", "college"),
    ("人力资源", "hrss"), ("应急管理", "emergency"), ("民政", "civil"), ("纪检监察", "discipline"),
    ("组织部门", "organisation"), ("公务员主管", "organisation"), ("共青团", "youth"),
    ("精神文明", "civilisation"), ("发展改革", "ndrc"), ("社会信用体系建设牵头", "ndrc"),
    ("商务", "commerce"), ("卫生健康", "health"), ("血站", "blood"), ("住房城乡建设", "housing"),
    ("交通运输", "transport"), ("生态环境", "eco"), ("自然资源", "land"), ("公安", "police"),
    ("工业和信息化", "econ"), ("慈善", "charity"), ("表彰奖励授予", "gov"), ("任免机关", "gov"),
    ("承诺受理", "market"), ("行政许可机关", "market"), ("行政执法部门", "market"),
    ("行政执法部门", "enforcement"), ("行政执法部门", "eco"), ("行政许可机关", "housing"),
]

# Public institutions (事业单位, 12) spread over counties and cities: (name template, parent).
INSTITUTIONS: list[tuple[str, str]] = [
    ("{r}人民医院", "health"), ("{r}中医院", "health"), ("{r}妇幼保健院", "health"),
    ("{r}疾病预防控制中心", "health"), ("{r}第一中学", "edu"), ("{r}第二中学", "edu"),
    ("{r}实验小学", "edu"), ("{r}职业中等专业学校", "edu"), ("{r}公共资源交易中心", "gov"),
    ("{r}不动产登记服务中心", "land"), ("{r}社会保险事业管理中心", "hrss"), ("{r}融媒体中心", "gov"),
    ("{r}图书馆", "gov"), ("{r}农业技术推广中心", "gov"), ("{r}城市建设档案馆", "housing"),
    ("{r}公路与运输管理中心", "transport"), ("{r}应急管理服务中心", "emergency"),
    ("{r}市场监督管理局食品药品检验所", "market"),
]
# When the templates run out in a region: numbered schools.
NUMBERED_INSTITUTIONS = [("{r}第{n}中学", "edu"), ("{r}第{n}小学", "edu"), ("{r}第{n}幼儿园", "edu")]

TOWN_SYLLABLES = list("东西南北上下前后新大小高石金马桥塘溪山湾岙岭湖江河沙洋田坑竹梅桃杨柳")
TOWN_SUFFIX = ["镇", "镇", "乡", "街道"]
VILLAGE_SUFFIX = ["村", "村", "村", "社区"]

# Title ladders, lowest first; the last is the head (one per body), the one before it a deputy
# (at most three per body). Chosen by the body's name (see base._ladder).
LADDERS: dict[str, list[str]] = {
    "gov_province": ["科员", "副处长", "处长", "副秘书长", "秘书长", "副省长", "省长"],
    "gov_city": ["科员", "副科长", "科长", "副秘书长", "秘书长", "副市长", "市长"],
    "gov_county": ["科员", "副科长", "科长", "办公室副主任", "办公室主任", "副{x}长", "{x}长"],
    "dept_province": ["科员", "副处长", "处长", "副厅长", "厅长"],
    "dept": ["科员", "副科长", "科长", "副局长", "局长"],
    "commission": ["科员", "副科长", "科长", "副主任", "主任"],
    "court": ["书记员", "法官助理", "审判员", "庭长", "副院长", "院长"],
    "discipline": ["科员", "纪检监察员", "室主任", "副书记", "书记"],
    "organisation": ["科员", "副科长", "科长", "副部长", "部长"],
    "youth": ["干事", "部长", "副书记", "书记"],
    "hospital": ["工作人员", "科主任", "副院长", "院长"],
    "school": ["教师", "教研组长", "副校长", "校长"],
    "institution": ["工作人员", "科长", "副主任", "主任"],
}

# --- enterprises --------------------------------------------------------------------------------
INDUSTRIES = [
    "科技", "贸易", "建设工程", "食品", "机械制造", "纺织", "服饰", "化工", "物流", "餐饮管理",
    "房地产开发", "电子商务", "医药", "新材料", "环保科技", "汽车配件", "五金", "印染", "塑料制品",
    "家居", "电器", "包装", "文化传媒", "信息技术", "建材", "农业开发", "水产", "茶业", "旅游开发",
    "物业管理", "装饰工程", "劳务派遣", "检测技术", "光伏科技", "阀门", "鞋业", "眼镜", "皮革",
]
# 字号: two of these make a firm's trade name (Faker's zh_CN prefixes are too few for 20,000 firms).
BRAND_CHARS = "华盛鑫泰恒达诚信瑞丰源宏嘉和兴隆昌祥富佳荣新远方金星辰海天宇博创智联科益康宁安顺通利众德正永合汇明光伟业凯锦鸿鹏腾飞龙凤贵旺欣怡晨越森林峰"
COMPANY_FORMS = ["有限公司"] * 16 + ["股份有限公司", "有限责任公司", "集团有限公司"]
SHOP_TRADES = [
    "小吃店", "便利店", "水果店", "理发店", "五金店", "服装店", "面馆", "早餐店", "烟酒店", "修车铺",
    "副食店", "药店", "快餐店", "茶叶店", "电动车行", "手机维修店", "洗衣店", "花店", "烧烤店",
]
COOP_CROPS = ["茶叶", "杨梅", "柑橘", "蔬菜", "水稻", "竹笋", "葡萄", "蜜梨", "食用菌", "生猪", "水产", "香榧", "中药材"]

# --- records: how much of each category, about whom, from whom -----------------------------------
# weight: share of the records (the rest of the total after the `count` categories); count: a
# fixed number at scale 1 (the government-integrity categories: a few dozen bodies); kinds:
# weights over the category's subject_kinds (kinds the category does not allow are dropped,
# allowed kinds not named get 1%); departments: (department key, weight); dept_facts: facts
# that name the reporting department itself (the charity that received a donation, and its
# code); gov_keys: which
# government bodies may be the subject (department keys, "inst" for public institutions,
# "village" for villages' and residents' committees; "admin": governments and departments; default: any); age: the
# natural person's age range at the decision; legal_severities: severities possible for an
# organisation (a unit cannot be imprisoned); severities: weights over the category's
# severities instead of SEVERITY_WEIGHTS.
DEFAULT_KINDS = {"enterprise": 0.6, "person": 0.3, "public_servant": 0.05, "gov_body": 0.05}
DEFAULT_WEIGHT = 0.3
SEVERITY_WEIGHTS = {"minor": 0.12, "general": 0.72, "grave": 0.06, "serious": 0.10}

PROFILES: dict[str, dict] = {
    "admin_licence": {
        "weight": 45,
        "kinds": {"enterprise": 0.62, "person": 0.35, "public_servant": 0.01, "gov_body": 0.02},
        "departments": [("market", 6), ("housing", 2), ("eco", 1.5), ("transport", 1.5), ("health", 1.5),
                        ("emergency", 1), ("land", 1), ("edu", 0.8), ("police", 0.8), ("enforcement", 1),
                        ("hrss", 0.5), ("civil", 0.3), ("commerce", 0.4)],
    },
    "admin_penalty": {
        "weight": 35,
        "kinds": {"enterprise": 0.78, "person": 0.18, "public_servant": 0.02, "gov_body": 0.02},
        "departments": [("market", 5), ("enforcement", 3), ("eco", 2), ("emergency", 1.5), ("transport", 1.5),
                        ("housing", 1), ("tax", 1), ("police", 1), ("health", 1), ("land", 0.8), ("hrss", 0.6)],
    },
    "judicial_judgment": {
        "weight": 2,
        "kinds": {"person": 0.86, "enterprise": 0.1, "public_servant": 0.035, "gov_body": 0.005},
        "departments": [("court", 1)], "court_levels": (0.0, 0.15, 0.85),
        "legal_severities": ["general"], "age": (18, 80), "severities": {"general": 0.55, "serious": 0.45},
    },
    "dishonest_judgment_debtor": {
        "weight": 1.5,
        "kinds": {"person": 0.68, "enterprise": 0.3, "public_servant": 0.01, "gov_body": 0.01},
        "departments": [("court", 1)], "court_levels": (0.0, 0.1, 0.9),
    },
    "refusal_to_perform_judgment": {
        "weight": 0.5,
        "kinds": {"enterprise": 0.55, "person": 0.35, "gov_body": 0.07, "public_servant": 0.03},
        "departments": [("court", 1)], "court_levels": (0.0, 0.2, 0.8),
    },
    "administrative_enforcement": {
        "weight": 1.5,
        "kinds": {"enterprise": 0.6, "person": 0.37, "gov_body": 0.01, "public_servant": 0.02},
        "departments": [("enforcement", 3), ("market", 2), ("eco", 1), ("tax", 1), ("land", 1), ("court", 1)],
    },
    "disciplinary_sanction": {"weight": 0.4, "departments": [("discipline", 4), ("organisation", 1)]},
    "accountability_decision": {
        "weight": 0.2, "kinds": {"public_servant": 0.85, "gov_body": 0.15}, "gov_keys": "admin",
        "departments": [("discipline", 3), ("organisation", 1), ("gov", 1)],
    },
    "commitment_breach": {
        "weight": 0.5,
        "kinds": {"enterprise": 0.8, "person": 0.15, "gov_body": 0.03, "public_servant": 0.02},
        "departments": [("market", 2), ("ndrc", 1), ("housing", 1), ("tax", 1)],
    },
    "credit_commitment": {
        "weight": 3,
        "kinds": {"enterprise": 0.8, "person": 0.14, "gov_body": 0.05, "public_servant": 0.01},
        "departments": [("market", 4), ("housing", 1.5), ("ndrc", 1), ("tax", 1), ("transport", 1), ("hrss", 0.6)],
    },
    "exam_cheating": {
        "weight": 0.2, "kinds": {"person": 0.95, "public_servant": 0.05},
        "departments": [("exam", 2), ("hrss", 1), ("organisation", 1)], "age": (18, 45),
    },
    "safety_accident_liability": {
        "weight": 0.3,
        "kinds": {"enterprise": 0.7, "person": 0.18, "public_servant": 0.08, "gov_body": 0.04},
        "departments": [("emergency", 1)], "gov_keys": ["gov", "emergency", "market", "housing", "transport"],
    },
    "procurement_breach": {
        "weight": 0.3,
        "kinds": {"enterprise": 0.85, "person": 0.08, "gov_body": 0.05, "public_servant": 0.02},
        "departments": [("finance", 1)],
    },
    "bidding_breach": {
        "weight": 0.3,
        "kinds": {"enterprise": 0.9, "person": 0.06, "gov_body": 0.03, "public_servant": 0.01},
        "departments": [("ndrc", 1), ("housing", 2), ("transport", 1)],
    },
    "fraudulent_licence": {
        "weight": 0.3, "kinds": {"enterprise": 0.75, "person": 0.23, "public_servant": 0.01, "gov_body": 0.01},
        "departments": [("market", 3), ("housing", 1), ("health", 1), ("emergency", 1), ("eco", 1)],
    },
    "tax_violation": {"weight": 0.4, "kinds": {"enterprise": 0.9, "person": 0.1}, "departments": [("tax", 1)]},
    "wage_arrears": {"weight": 0.4, "kinds": {"enterprise": 0.92, "person": 0.08}, "departments": [("hrss", 1)]},
    "student_dishonesty": {"weight": 0.2, "departments": [("college", 1)], "age": (18, 28)},
    "student_loan_default": {"weight": 0.3, "departments": [("edu", 1)], "age": (22, 34)},
    "honour": {
        "weight": 2,
        "kinds": {"person": 0.45, "enterprise": 0.3, "public_servant": 0.15, "gov_body": 0.1},
        "departments": [("gov", 3), ("civilisation", 1), ("hrss", 0.5)], "gov_keys": "admin",
        "levels": (0.15, 0.35, 0.5), "superior": True,
    },
    "volunteer_service": {
        "weight": 4, "kinds": {"person": 0.9, "public_servant": 0.1},
        "departments": [("youth", 2), ("civil", 1), ("civilisation", 1)], "age": (18, 75),
    },
    "blood_donation": {
        "weight": 1.5, "kinds": {"person": 0.92, "public_servant": 0.08},
        "departments": [("blood", 3), ("health", 1)], "age": (18, 60),
    },
    "charity_donation": {
        "weight": 1, "kinds": {"person": 0.55, "enterprise": 0.4, "public_servant": 0.05},
        "departments": [("charity", 1)], "dept_facts": ["donee"],
    },
    # 政务诚信: a few dozen government bodies
    "investment_attraction_breach": {"count": 30, "gov_keys": ["gov", "commerce", "ndrc", "econ"], "departments": [("ndrc", 2), ("commerce", 1)], "superior": True},
    "arrears_to_enterprises": {"count": 40, "gov_keys": ["gov", "econ", "edu", "health", "housing", "transport", "finance", "inst"], "departments": [("econ", 2), ("finance", 1), ("ndrc", 1)], "superior": True},
    "debt_default": {"count": 10, "gov_keys": ["gov"], "departments": [("finance", 1)], "superior": True},
    "ppp_breach": {"count": 15, "kinds": {"gov_body": 0.7, "enterprise": 0.3}, "gov_keys": ["gov"],
                   "departments": [("finance", 2), ("ndrc", 1)], "superior": True},
}

# Document-number shapes. Courts: （2024）浙0106执123号; others: 杭西市监罚〔2024〕123号.
DEPT_ABBR = {
    "gov": "政", "ndrc": "发改", "econ": "经信", "edu": "教", "police": "公", "civil": "民",
    "finance": "财", "hrss": "人社", "land": "自然资源", "eco": "环", "housing": "建", "transport": "交",
    "commerce": "商务", "health": "卫健", "emergency": "应急", "market": "市监", "tax": "税",
    "enforcement": "综执", "court": "法", "discipline": "纪", "organisation": "组",
    "civilisation": "文明办", "youth": "团", "exam": "考", "blood": "血", "college": "院", "charity": "慈",
}
DOC_WORDS = {
    "admin_penalty": "罚决", "admin_licence": "许", "judicial_judgment": "刑初", "dishonest_judgment_debtor": "执",
    "refusal_to_perform_judgment": "执", "administrative_enforcement": "强执", "disciplinary_sanction": "处",
    "accountability_decision": "问责", "commitment_breach": "诺认", "credit_commitment": "诺",
    "exam_cheating": "考处", "safety_accident_liability": "事故批", "procurement_breach": "采处",
    "bidding_breach": "招处", "fraudulent_licence": "撤", "tax_violation": "稽罚", "wage_arrears": "欠薪认",
    "student_dishonesty": "学处", "student_loan_default": "贷认", "honour": "表", "volunteer_service": "志证",
    "blood_donation": "献", "charity_donation": "捐", "investment_attraction_breach": "招商认",
    "arrears_to_enterprises": "欠款认", "debt_default": "债认", "ppp_breach": "PPP认",
}
COURT_DOC_WORDS = {"judicial_judgment": "刑初", "administrative_enforcement": "执"}

# --- facts ---------------------------------------------------------------------------------------
# Themes: one dict per plausible case; the generator picks one (matching the reporting department
# `_dept` and the subject `_who`: legal / natural) and takes the values of the facts the category
# has. Keys the category lacks are ignored, so a theme never breaks a changed catalog.
THEMES: dict[str, list[dict]] = {
    "admin_penalty": [
        {"_dept": "market", "violation_type": "销售不符合食品安全标准的食品", "penalty_basis": "《中华人民共和国食品安全法》第一百二十四条"},
        {"_dept": "market", "violation_type": "未取得食品经营许可从事食品经营活动", "penalty_basis": "《中华人民共和国食品安全法》第一百二十二条"},
        {"_dept": "market", "violation_type": "发布虚假广告", "penalty_basis": "《中华人民共和国广告法》第五十五条"},
        {"_dept": "market", "violation_type": "生产销售不合格产品", "penalty_basis": "《中华人民共和国产品质量法》第四十九条"},
        {"_dept": "market", "violation_type": "侵犯注册商标专用权", "penalty_basis": "《中华人民共和国商标法》第六十条"},
        {"_dept": "market", "violation_type": "虚假宣传", "penalty_basis": "《中华人民共和国反不正当竞争法》第二十条"},
        {"_dept": "market", "violation_type": "价格欺诈", "penalty_basis": "《中华人民共和国价格法》第四十条"},
        {"_dept": "market", "violation_type": "使用未经定期检验的特种设备", "penalty_basis": "《中华人民共和国特种设备安全法》第八十四条"},
        {"_dept": "market", "violation_type": "经营超过保质期的食品", "penalty_basis": "《中华人民共和国食品安全法》第一百二十四条"},
        {"_dept": "eco", "violation_type": "超标排放大气污染物", "penalty_basis": "《中华人民共和国大气污染防治法》第九十九条"},
        {"_dept": "eco", "violation_type": "未取得排污许可证排放污染物", "penalty_basis": "《排污许可管理条例》第三十三条"},
        {"_dept": "eco", "violation_type": "通过暗管偷排水污染物", "penalty_basis": "《中华人民共和国水污染防治法》第八十三条"},
        {"_dept": "eco", "violation_type": "建设项目未批先建", "penalty_basis": "《中华人民共和国环境影响评价法》第三十一条"},
        {"_dept": "eco", "violation_type": "危险废物贮存不规范", "penalty_basis": "《中华人民共和国固体废物污染环境防治法》第一百一十二条"},
        {"_dept": "emergency", "violation_type": "未按规定对从业人员进行安全生产教育和培训", "penalty_basis": "《中华人民共和国安全生产法》第九十七条"},
        {"_dept": "emergency", "violation_type": "未建立事故隐患排查治理制度", "penalty_basis": "《中华人民共和国安全生产法》第一百零一条"},
        {"_dept": "emergency", "violation_type": "危险化学品储存不符合国家标准", "penalty_basis": "《危险化学品安全管理条例》第八十条"},
        {"_dept": "emergency", "violation_type": "特种作业人员未持证上岗", "penalty_basis": "《中华人民共和国安全生产法》第九十七条"},
        {"_dept": "enforcement", "violation_type": "未经许可擅自占用城市道路", "penalty_basis": "《城市道路管理条例》第四十二条"},
        {"_dept": "enforcement", "violation_type": "违法建设", "penalty_basis": "《浙江省城乡规划条例》第五十八条"},
        {"_dept": "enforcement", "violation_type": "随意倾倒建筑垃圾", "penalty_basis": "《城市市容和环境卫生管理条例》第三十六条"},
        {"_dept": "enforcement", "violation_type": "擅自设置户外广告", "penalty_basis": "《浙江省城市市容和环境卫生管理条例》第四十二条"},
        {"_dept": "enforcement", "violation_type": "占道经营", "penalty_basis": "《浙江省城市市容和环境卫生管理条例》第四十一条"},
        {"_dept": "housing", "violation_type": "未取得施工许可证擅自施工", "penalty_basis": "《建筑工程施工许可管理办法》第十二条"},
        {"_dept": "housing", "violation_type": "违反工程建设强制性标准", "penalty_basis": "《建设工程质量管理条例》第五十六条"},
        {"_dept": "housing", "violation_type": "转包违法分包工程", "penalty_basis": "《建设工程质量管理条例》第六十二条"},
        {"_dept": "transport", "violation_type": "未取得道路运输经营许可擅自从事道路运输经营", "penalty_basis": "《中华人民共和国道路运输条例》第六十三条"},
        {"_dept": "transport", "violation_type": "车辆超限运输", "penalty_basis": "《公路安全保护条例》第六十四条"},
        {"_dept": "tax", "violation_type": "未按期办理纳税申报", "penalty_basis": "《中华人民共和国税收征收管理法》第六十二条"},
        {"_dept": "tax", "violation_type": "未按规定开具发票", "penalty_basis": "《中华人民共和国发票管理办法》第三十五条"},
        {"_dept": "police", "violation_type": "旅馆未按规定登记住宿旅客信息", "penalty_basis": "《旅馆业治安管理办法》第十五条"},
        {"_dept": "police", "violation_type": "未落实网络安全等级保护制度", "penalty_basis": "《中华人民共和国网络安全法》第五十九条"},
        {"_dept": "health", "violation_type": "未取得医疗机构执业许可证擅自执业", "penalty_basis": "《医疗机构管理条例》第四十三条"},
        {"_dept": "health", "violation_type": "公共场所卫生不符合国家卫生标准", "penalty_basis": "《公共场所卫生管理条例》第十四条"},
        {"_dept": "land", "violation_type": "非法占用土地", "penalty_basis": "《中华人民共和国土地管理法》第七十七条"},
        {"_dept": "land", "violation_type": "未经批准擅自改变土地用途", "penalty_basis": "《中华人民共和国土地管理法》第七十九条"},
        {"_dept": "hrss", "violation_type": "未按规定参加社会保险", "penalty_basis": "《中华人民共和国社会保险法》第八十四条"},
        {"_dept": "hrss", "violation_type": "违反规定延长劳动者工作时间", "penalty_basis": "《中华人民共和国劳动法》第九十条"},
    ],
    "admin_licence": [
        {"_dept": "market", "_who": "legal", "decision_doc_name": "食品经营许可决定书", "licence_cert_name": "食品经营许可证", "licence_content": "预包装食品销售，散装食品销售", "licence_class": "普通", "licence_no": "JY1{county_code}{n6}"},
        {"_dept": "market", "_who": "legal", "decision_doc_name": "准予设立登记通知书", "licence_cert_name": "营业执照", "licence_content": "有限责任公司设立登记", "licence_class": "登记", "licence_no": "{subject_code}"},
        {"_dept": "market", "_who": "legal", "decision_doc_name": "特种设备使用登记决定书", "licence_cert_name": "特种设备使用登记证", "licence_content": "电梯使用登记", "licence_class": "登记", "licence_no": "梯11浙A{n5}({yy})"},
        {"_dept": "market", "_who": "natural", "decision_doc_name": "食品生产加工小作坊登记决定书", "licence_cert_name": "食品小作坊登记证", "licence_content": "糕点类食品生产加工", "licence_class": "登记", "licence_no": "浙食坊{county_code}{n4}"},
        {"_dept": "eco", "_who": "legal", "decision_doc_name": "排污许可决定书", "licence_cert_name": "排污许可证", "licence_content": "排放大气污染物、水污染物", "licence_class": "普通", "licence_no": "{subject_code}001P"},
        {"_dept": "eco", "_who": "legal", "decision_doc_name": "建设项目环境影响报告表审批意见", "licence_cert_name": "环评批复", "licence_content": "年产{n}万件{industry}产品建设项目环境影响评价审批", "licence_class": "核准"},
        {"_dept": "housing", "_who": "legal", "decision_doc_name": "建筑工程施工许可决定书", "licence_cert_name": "建筑工程施工许可证", "licence_content": "{county}{place}安置房工程施工许可", "licence_class": "普通", "licence_no": "{county_code}{year}{n4}0101"},
        {"_dept": "housing", "_who": "legal", "decision_doc_name": "商品房预售许可决定书", "licence_cert_name": "商品房预售许可证", "licence_content": "{place}花园{n}幢商品房预售", "licence_class": "普通", "licence_no": "{abbr}预许字（{year}）第{n3}号"},
        {"_dept": "housing", "_who": "natural", "decision_doc_name": "注册建造师初始注册决定书", "licence_cert_name": "二级建造师注册证书", "licence_content": "建筑工程专业二级建造师注册", "licence_class": "认可", "licence_no": "浙2{county_code}{year}{n5}"},
        {"_dept": "transport", "_who": "legal", "decision_doc_name": "道路运输经营许可决定书", "licence_cert_name": "道路运输经营许可证", "licence_content": "道路普通货物运输", "licence_class": "特许", "licence_no": "浙交运管许可{cs}字{n6}号"},
        {"_dept": "transport", "_who": "natural", "decision_doc_name": "道路运输从业资格认定决定书", "licence_cert_name": "道路运输从业人员从业资格证", "licence_content": "道路旅客运输驾驶员从业资格", "licence_class": "认可", "licence_no": "{subject_code}"},
        {"_dept": "health", "_who": "legal", "decision_doc_name": "医疗机构执业许可决定书", "licence_cert_name": "医疗机构执业许可证", "licence_content": "诊所执业登记", "licence_class": "普通", "licence_no": "PDY{n5}{county_code}1{n4}"},
        {"_dept": "health", "_who": "legal", "decision_doc_name": "公共场所卫生许可决定书", "licence_cert_name": "公共场所卫生许可证", "licence_content": "住宿场所卫生许可", "licence_class": "普通", "licence_no": "{abbr}卫公字〔{year}〕第{n4}号"},
        {"_dept": "health", "_who": "natural", "decision_doc_name": "医师执业注册决定书", "licence_cert_name": "医师执业证书", "licence_content": "临床类别内科专业执业注册", "licence_class": "认可", "licence_no": "1103302{n5}{n4}"},
        {"_dept": "emergency", "_who": "legal", "decision_doc_name": "危险化学品经营许可决定书", "licence_cert_name": "危险化学品经营许可证", "licence_content": "危险化学品经营（不带储存设施）", "licence_class": "普通", "licence_no": "浙{cs}安经字〔{year}〕{n6}"},
        {"_dept": "emergency", "_who": "natural", "decision_doc_name": "特种作业操作证核发决定书", "licence_cert_name": "特种作业操作证", "licence_content": "低压电工作业", "licence_class": "认可", "licence_no": "T{subject_code}"},
        {"_dept": "land", "_who": "legal", "decision_doc_name": "建设用地规划许可决定书", "licence_cert_name": "建设用地规划许可证", "licence_content": "{place}地块建设用地规划许可", "licence_class": "普通", "licence_no": "地字第{county_code}{year}{n5}号"},
        {"_dept": "land", "_who": "natural", "decision_doc_name": "乡村建设规划许可决定书", "licence_cert_name": "乡村建设规划许可证", "licence_content": "农村村民住宅建设", "licence_class": "普通", "licence_no": "乡字第{county_code}{year}{n5}号"},
        {"_dept": "edu", "_who": "legal", "decision_doc_name": "民办学校办学许可决定书", "licence_cert_name": "民办学校办学许可证", "licence_content": "文化艺术类校外培训", "licence_class": "普通", "licence_no": "教民{county_code}{n9}号"},
        {"_dept": "edu", "_who": "natural", "decision_doc_name": "教师资格认定决定书", "licence_cert_name": "教师资格证书", "licence_content": "初级中学教师资格认定", "licence_class": "认可", "licence_no": "{year}33{n11}"},
        {"_dept": "police", "_who": "legal", "decision_doc_name": "特种行业许可决定书", "licence_cert_name": "特种行业许可证", "licence_content": "旅馆业特种行业许可", "licence_class": "普通", "licence_no": "{abbr}公特旅字第{n5}号"},
        {"_dept": "enforcement", "decision_doc_name": "城市道路临时占用许可决定书", "licence_cert_name": "城市道路占用许可证", "licence_content": "临时占用城市道路堆放材料", "licence_class": "普通", "licence_no": "{abbr}综执占字〔{year}〕{n4}号"},
        {"_dept": "enforcement", "_who": "legal", "decision_doc_name": "户外广告设施设置许可决定书", "licence_cert_name": "户外广告设施设置许可证", "licence_content": "户外广告设施设置", "licence_class": "普通"},
        {"_dept": "hrss", "_who": "legal", "decision_doc_name": "劳务派遣经营许可决定书", "licence_cert_name": "劳务派遣经营许可证", "licence_content": "劳务派遣经营", "licence_class": "普通", "licence_no": "{county_code}{year}{n4}"},
        {"_dept": "civil", "decision_doc_name": "社会组织成立登记决定书", "licence_cert_name": "社会团体法人登记证书", "licence_content": "社会团体成立登记", "licence_class": "登记"},
        {"_dept": "commerce", "_who": "legal", "decision_doc_name": "对外贸易经营者备案登记", "licence_cert_name": "对外贸易经营者备案登记表", "licence_content": "对外贸易经营者备案", "licence_class": "其他"},
    ],
    "judicial_judgment": [
        {"_who": "natural", "crime": "危险驾驶罪", "_sentences": ["拘役", "拘役", "拘役"]},
        {"_who": "natural", "crime": "盗窃罪", "_sentences": ["有期徒刑", "拘役", "管制"]},
        {"_who": "natural", "crime": "诈骗罪", "_sentences": ["有期徒刑", "有期徒刑", "拘役"]},
        {"_who": "natural", "crime": "故意伤害罪", "_sentences": ["有期徒刑", "拘役"]},
        {"_who": "natural", "crime": "交通肇事罪", "_sentences": ["有期徒刑", "拘役"]},
        {"_who": "natural", "crime": "开设赌场罪", "_sentences": ["有期徒刑"]},
        {"_who": "natural", "crime": "帮助信息网络犯罪活动罪", "_sentences": ["有期徒刑", "拘役"]},
        {"_who": "natural", "crime": "非法吸收公众存款罪", "_sentences": ["有期徒刑"]},
        {"_who": "natural", "crime": "拒不支付劳动报酬罪", "_sentences": ["有期徒刑", "拘役"]},
        {"_who": "natural", "crime": "寻衅滋事罪", "_sentences": ["有期徒刑", "拘役"]},
        {"_who": "natural", "crime": "掩饰、隐瞒犯罪所得罪", "_sentences": ["有期徒刑", "拘役", "管制"]},
        {"_who": "natural", "crime": "生产、销售伪劣产品罪", "_sentences": ["有期徒刑", "罚金"]},
        {"_who": "natural", "crime": "非法经营罪", "_sentences": ["有期徒刑", "罚金"]},
        {"_who": "servant", "crime": "受贿罪", "_sentences": ["有期徒刑"], "in_duty": True},
        {"_who": "servant", "crime": "贪污罪", "_sentences": ["有期徒刑"], "in_duty": True},
        {"_who": "servant", "crime": "滥用职权罪", "_sentences": ["有期徒刑", "免予刑事处罚"], "in_duty": True},
        {"_who": "servant", "crime": "玩忽职守罪", "_sentences": ["有期徒刑", "免予刑事处罚"], "in_duty": True},
        {"_who": "legal", "crime": "单位行贿罪", "_sentences": ["罚金"]},
        {"_who": "legal", "crime": "污染环境罪", "_sentences": ["罚金"]},
        {"_who": "legal", "crime": "虚开增值税专用发票罪", "_sentences": ["罚金"]},
        {"_who": "legal", "crime": "串通投标罪", "_sentences": ["罚金"]},
        {"_who": "gov", "crime": "单位受贿罪", "_sentences": ["罚金"], "in_duty": True},
    ],
    "dishonest_judgment_debtor": [
        {"basis_unit": "{court_name}", "basis_no": "（{year}）浙{court_code}民初{n4}号"},
        {"basis_unit": "{court_name}", "basis_no": "（{year}）浙{court_code}民初{n4}号"},
        {"basis_unit": "{city}中级人民法院", "basis_no": "（{year}）浙{city_court}民终{n3}号"},
        {"basis_unit": "{cs}仲裁委员会", "basis_no": "（{year}）{cs}仲字第{n3}号"},
    ],
    "exam_cheating": [
        {"exam_name": "{year}年浙江省考试录用公务员笔试", "exam_kind": "公务员录用考试"},
        {"exam_name": "{year}年{city}事业单位公开招聘工作人员考试", "exam_kind": "事业单位招聘考试"},
        {"exam_name": "{year}年全国硕士研究生招生考试", "exam_kind": "国家教育考试"},
        {"exam_name": "{year}年普通高等学校招生全国统一考试（浙江卷）", "exam_kind": "国家教育考试"},
        {"exam_name": "{year}年全国大学英语四、六级考试", "exam_kind": "国家教育考试"},
        {"exam_name": "{year}年度全国会计专业技术资格考试", "exam_kind": "职业资格考试"},
        {"exam_name": "{year}年度一级建造师执业资格考试", "exam_kind": "职业资格考试"},
        {"exam_name": "{year}年全国护士执业资格考试", "exam_kind": "职业资格考试"},
    ],
    "honour": [
        {"_level": "province", "honour_name": "浙江省劳动模范", "honour_kind": "劳动模范", "honour_level": "省部级", "_who": "natural"},
        {"_level": "province", "honour_name": "浙江省道德模范", "honour_kind": "道德模范", "honour_level": "省部级", "_who": "natural"},
        {"_level": "province", "honour_name": "浙江省诚信示范企业", "honour_kind": "诚信典型", "honour_level": "省部级", "_who": "legal"},
        {"_level": "province", "honour_name": "浙江省先进集体", "honour_kind": "先进集体", "honour_level": "省部级", "_who": "legal"},
        {"_level": "city", "honour_name": "{city}劳动模范", "honour_kind": "劳动模范", "honour_level": "市级", "_who": "natural"},
        {"_level": "city", "honour_name": "{city}优秀志愿者", "honour_kind": "优秀志愿者", "honour_level": "市级", "_who": "natural"},
        {"_level": "city", "honour_name": "{city}诚信经营示范单位", "honour_kind": "诚信典型", "honour_level": "市级", "_who": "legal"},
        {"_level": "city", "honour_name": "{city}守合同重信用企业", "honour_kind": "诚信典型", "honour_level": "市级", "_who": "legal"},
        {"_level": "city", "honour_name": "{city}先进工作者", "honour_kind": "先进个人", "honour_level": "市级", "_who": "natural"},
        {"_level": "county", "honour_name": "{region}最美人物", "honour_kind": "道德模范", "honour_level": "县级", "_who": "natural"},
        {"_level": "county", "honour_name": "{region}优秀共产党员", "honour_kind": "先进个人", "honour_level": "县级", "_who": "natural"},
        {"_level": "county", "honour_name": "{region}纳税信用A级企业", "honour_kind": "诚信典型", "honour_level": "县级", "_who": "legal"},
        {"_level": "county", "honour_name": "{region}文明单位", "honour_kind": "先进集体", "honour_level": "县级", "_who": "legal"},
        {"_level": "county", "honour_name": "{region}见义勇为先进个人", "honour_kind": "道德模范", "honour_level": "县级", "_who": "natural"},
    ],
    "tax_violation": [
        {"case_nature": "偷税", "main_facts": "采取少列收入、多列支出等手段不缴或者少缴应纳税款"},
        {"case_nature": "虚开增值税专用发票", "main_facts": "在没有真实交易的情况下为他人虚开增值税专用发票"},
        {"case_nature": "逃避追缴欠税", "main_facts": "欠缴应纳税款，采取转移或者隐匿财产的手段妨碍税务机关追缴"},
        {"case_nature": "虚开普通发票", "main_facts": "为他人、为自己开具与实际经营业务情况不符的普通发票"},
        {"case_nature": "骗取出口退税", "main_facts": "以假报出口等欺骗手段骗取国家出口退税款"},
    ],
    "safety_accident_liability": [
        {"accident_name": "{county}{place}{company_word}“{md}”{kind}事故", "_kinds": ["机械伤害", "高处坠落", "物体打击", "触电", "火灾", "起重伤害", "坍塌", "中毒和窒息"]},
    ],
}

# Per fact: values to pick from (by fact key, or ``category.key`` to override for one category,
# with ``@legal`` / ``@natural`` for one class of subject). A value may hold placeholders.
WORDS: dict[str, list[str]] = {
    "penalty_type": [
        "罚款", "罚款", "罚款", "罚款、没收违法所得", "没收违法所得、没收非法财物", "罚款、没收非法财物",
        "暂扣许可证件", "警告", "通报批评", "警告、罚款", "吊销许可证件", "责令停产停业", "罚款、责令停产停业",
        "限制开展生产经营活动", "责令关闭", "降低资质等级", "罚款、限制从业",
    ],
    "violation_type": ["无证经营", "未按规定履行义务", "违反安全管理规定"],
    "bidding_breach.violation_type": [
        "串通投标", "弄虚作假骗取中标", "行贿谋取中标", "围标串标", "违法转包分包", "出借资质投标",
        "中标后无正当理由不与招标人订立合同", "未按规定提交投标保证金",
    ],
    "exam_cheating.violation_type": [
        "携带具有通讯功能的电子设备进入考场", "抄袭他人答案", "考试结束信号发出后继续答题", "在答卷规定以外位置标注信息",
        "替考", "由他人代考", "串通作弊", "参与有组织作弊", "使用伪造证件参加考试",
    ],
    "sentence_type": ["有期徒刑", "有期徒刑", "拘役", "管制", "罚金", "免予刑事处罚"],
    "judicial_judgment.sentence_type@legal": ["罚金"],
    "sanction_type": [
        "警告", "记过", "记过", "记大过", "降级", "撤职", "开除", "严重警告", "撤销党内职务", "留党察看", "开除党籍",
    ],
    "accountability_type": [
        "通报", "诫勉", "责令检查", "组织调整", "停职检查", "调整职务", "责令公开道歉", "责令辞职", "免职", "降职", "引咎辞职",
    ],
    "accountability_type@legal": ["责令作出书面检查", "通报", "责令整改", "改组"],
    "finding_basis": ["投诉处理认定", "审计发现", "督查认定", "协商未果经核实认定", "生效判决", "仲裁裁决"],
    "liability": ["主要责任", "次要责任", "同等责任", "全部责任", "领导责任", "监管责任"],
    "handling": ["责令改正", "依法予以处理", "已按规定处理完毕", "责令限期整改"],
    "procurement_breach.handling": [
        "处采购金额千分之五的罚款", "警告并责令改正", "列入不良行为记录名单", "禁止参加政府采购活动一年", "没收违法所得并处罚款",
    ],
    "bidding_breach.handling": ["中标无效，处中标项目金额千分之五的罚款", "取消一年内参加依法必须进行招标的项目的投标资格", "警告并责令改正", "没收违法所得并处罚款"],
    "exam_cheating.handling": ["该科目考试成绩无效", "当次考试成绩无效", "当次考试各科目成绩无效，五年内不得报考", "终身不得报考"],
    "wage_arrears.handling": ["责令限期支付劳动报酬", "已移送公安机关", "列入拖欠农民工工资失信联合惩戒对象名单", "已垫付欠薪并追偿"],
    "student_dishonesty.handling": ["记过处分", "留校察看", "取消学位申请资格", "警告处分", "撤销学位"],
    "tax_violation.handling": ["追缴税款、加收滞纳金并处罚款", "追缴税款并处一倍罚款", "移送公安机关", "依法追缴并处以罚款"],
    "debt_default.handling": ["已责令限期偿还", "已启动债务风险应急处置", "已追究相关人员责任", "整改中"],
    "ppp_breach.handling": ["已约谈并责令履约", "已启动临时接管", "协商补偿中", "已提起仲裁"],
    "safety_accident_liability.handling": ["处以罚款", "建议给予政务处分", "移送司法机关处理", "责令限期整改"],
    "obligation": [
        "支付货款人民币{n}万元及利息", "偿还借款本金人民币{n}万元及利息", "支付工程款人民币{n}万元", "赔偿经济损失人民币{n}万元",
        "返还购房款人民币{n}万元", "支付拖欠工资人民币{n}万元", "腾退房屋并支付占用费",
    ],
    "administrative_enforcement.obligation": ["缴纳罚款人民币{n}万元", "拆除违法建筑", "恢复土地原状", "缴纳滞纳金", "停止违法排污"],
    "basis_unit": ["{region}人民法院", "{city}中级人民法院", "{cs}仲裁委员会"],
    "crime": ["盗窃罪"],
    "commitment_matter": [
        "企业登记告知承诺", "建设工程施工许可告知承诺", "证明事项告知承诺", "信用修复承诺", "容缺受理承诺", "行业自律承诺",
        "政府采购投标信用承诺", "财政资金申报承诺", "食品经营许可告知承诺",
    ],
    "commitment_content": [
        "所提交材料真实、合法、有效，如有虚假愿承担相应法律责任", "在规定期限内补齐申请材料", "依法诚信经营，自觉接受监督",
        "按期履行行政处罚决定并纠正失信行为", "在承诺期限内达到许可条件",
    ],
    "credit_commitment.commitment_content@legal": [
        "所提交材料真实、合法、有效，如有虚假愿承担相应法律责任", "在规定期限内补齐申请材料", "依法诚信经营，自觉接受监督",
        "按期履行行政处罚决定并纠正失信行为", "在承诺期限内达到许可条件", "按服务指南承诺时限办结行政审批事项",
    ],
    "breach_liability": ["撤销相关许可并记入信用档案", "承担相应法律责任，记入信用记录", "取消容缺受理资格", "原处罚信息按最长期限公示"],
    "unfulfilled": ["未在承诺期限内补齐材料", "承诺事项与实际情况不符", "未按承诺时限达到许可条件", "未履行整改承诺"],
    "unperformed": ["未支付判决确定的款项", "未按判决履行合同义务", "未支付剩余款项及迟延履行期间的债务利息", "未履行腾退义务"],
    "liability_pursued": ["撤销许可决定", "取消容缺受理资格", "记入信用档案并依法处理", "责令限期整改"],
    "commitment_code": ["{region_code}{ymd}{n6}"],
    "remarks": ["无", "已整改", "当事人已履行完毕", "经复核无误", "依申请更正"],
    "sentence_term": ["一年"],
    "contract_name": ["{place}道路改造工程施工合同", "{county}智慧城市建设项目采购合同", "办公设备采购合同", "物业服务合同", "{place}安置房建设工程合同", "信息化系统运维服务合同"],
    "creditor_name": ["{company}"],
    "counterpart_name": ["{company}"],
    "project_name": ["{county}{place}综合开发项目", "{county}{industry}产业园项目", "{place}片区改造工程", "{county}污水处理厂提标改造工程", "{place}农贸市场改造项目"],
    "ppp_breach.project_name": ["{county}污水处理PPP项目", "{county}城市综合管廊PPP项目", "{county}垃圾焚烧发电PPP项目", "{place}片区开发PPP项目", "{county}智慧停车PPP项目"],
    "investment_attraction_breach.project_name": ["{county}{industry}产业园招商项目", "{county}总部经济招商项目", "{place}文旅综合体项目", "{county}智能制造产业基地项目"],
    "investment_attraction_breach.agreement_name": ["{project_name}投资协议", "{project_name}补充协议", "关于支持{project_name}的若干政策", "{project_name}土地出让合同"],
    "breach_facts": ["未按协议约定兑现奖励资金", "以政府换届为由拒不履行协议", "未依法定程序变更协议约定", "未按约定交付项目用地"],
    "ppp_breach.breach_facts": ["未按合同约定支付可行性缺口补助", "项目公司未按期完成建设", "政府方未按约定移交项目用地", "运营绩效考核不达标"],
    "debt_name": ["{year}年{cs}专项债券（{n}期）", "{county}城市建设项目贷款", "{county}棚户区改造专项借款"],
    "debt_default.creditor_name": ["国家开发银行浙江省分行", "中国农业发展银行{cs}分行", "中国工商银行{cs}分行"],
    "arrears_period": ["{year}年{n}月至{year}年12月", "{year}年1月至{year}年{n}月"],
    "behaviour_type": ["学术造假", "伪造就业材料", "其他"],
    "violation_facts": ["经查，当事人存在{violation_type}的行为，事实清楚，证据确凿", "经调查核实，当事人{violation_type}，违反了有关规定"],
    "admin_penalty.violation_facts": [
        "经查，当事人存在{violation_type}的行为，违反了{penalty_basis}的规定，事实清楚，证据确凿",
        "{year}年{n}月，执法人员检查发现当事人{violation_type}，经立案调查属实",
    ],
    "admin_penalty.penalty_content": ["{penalty_type}"],
    "disciplinary_sanction.violation_facts": [
        "违反中央八项规定精神，违规收受礼品礼金", "在工作中不负责任，贯彻落实上级决策部署不力", "违规兼职取酬",
        "在行政审批中违规办理，造成不良影响", "违反廉洁纪律，违规经商办企业", "虚报冒领补助资金",
    ],
    "disciplinary_sanction.sanction_basis": ["《中华人民共和国公职人员政务处分法》第{n}条", "《中国共产党纪律处分条例》第{n}条", "《事业单位工作人员处分规定》第{n}条"],
    "accountability_facts": [
        "履行安全生产监管职责不到位", "政务服务承诺事项未按时办结", "拖欠企业账款问题整改不力", "招商引资政策承诺未兑现",
        "生态环境保护督察整改推进不力", "对群众反映问题处置不及时",
    ],
    "accountability_basis": ["《中国共产党问责条例》", "《浙江省行政执法过错责任追究办法》", "《关于实行党政领导干部问责的暂行规定》"],
    "wage_arrears.violation_facts": ["拖欠{workers}名劳动者工资，经责令限期支付逾期仍未支付", "欠薪后法定代表人失联", "以工程款未到位为由拖欠农民工工资"],
    "student_dishonesty.violation_facts": ["毕业论文抄袭他人成果", "伪造实习证明材料", "篡改实验数据", "提供虚假就业协议"],
    "procurement_breach.violation_facts": ["提供虚假材料谋取中标", "与其他供应商恶意串通", "中标后无正当理由拒不签订合同", "采购人未按规定组织履约验收"],
    "bidding_breach.violation_facts": ["与其他投标人相互串通报价", "使用伪造的业绩材料投标", "中标后违法转包", "评标过程中私下接触投标人"],
    "judgment_summary": ["被告人{subject}犯{crime}，判处{sentence_term}", "被告单位{subject}犯{crime}，判处罚金"],
    "revoke_facts": ["申请人提交虚假材料取得许可", "以贿赂手段取得行政许可", "隐瞒有关情况取得许可"],
    "matter_name": ["食品经营许可", "建筑业企业资质认定", "危险化学品经营许可", "排污许可", "高新技术企业认定", "就业补助资金申领", "人才引进补贴申领"],
    "lender": ["国家开发银行浙江省分行", "中国银行{cs}分行", "{city}学生资助管理中心"],
    "volunteer_no": ["ZJ{year}{n8}"],
    "organisation": ["{region}志愿者协会"],
    "award": ["{city}优秀志愿者", "无", "星级志愿者"],
    "charity_donation.award": ["{city}慈善奖", "无"],
    "blood_donation.award": ["无", "无", "铜奖", "银奖", "金奖"],
    "project_no": ["{county_code}{year}{n5}", "ZJ-{cs}-{year}-{n4}"],
    "project_code": ["33{n4}{year}{n6}"],
    "licence_no": ["{abbr}许字〔{year}〕{n4}号"],
    "licence_revoked": ["{licence_name}（编号{n8}）"],
    "current_status": ["有效", "有效", "有效", "注销"],
    "report_approval_no": ["{abbr}政函〔{year}〕{n}号"],
    "basis_no": ["（{year}）浙{court_code}民初{n4}号", "（{year}）浙{court_code}民终{n3}号", "（{year}）{cs}仲字第{n3}号"],
    "instrument_no": ["（{year}）浙{court_code}民初{n4}号", "（{year}）浙{court_code}行初{n3}号"],
    "underlying_decision_no": ["{abbr}罚决〔{year}〕{n4}号"],
    "original_decision_no": ["{abbr}许〔{year}〕{n4}号"],
    "contract_no": ["ZJ{year}{n8}"],
    "receipt_no": ["浙财{n8}"],
    "intermediary": ["{cs}{pname}税务师事务所有限公司", "{cs}{pname}会计师事务所"],
    "inspection_unit": ["{dept}第一稽查局"],
    "financial_head_name": ["{person}"],
    "legal_rep_name": ["{person}"],
}

# Numbers: (low, high) — decimals are drawn log-uniform, so small amounts dominate.
DECIMALS: dict[str, tuple[float, float]] = {
    "fine_amount": (0.05, 100), "judicial_judgment.fine_amount": (0.2, 50), "confiscated_amount": (0.01, 30),
    "unperformed_amount": (1, 2000), "direct_loss": (5, 3000), "loss_amount": (50, 20000),
    "arrears_amount": (2, 300), "arrears_to_enterprises.arrears_amount": (10, 3000),
    "overdue_principal": (500, 50000), "overdue_interest": (10, 2000), "enforcement_amount": (0.1, 200),
    "case_tax_amount": (10, 5000), "overdue_amount": (2000, 60000), "service_hours": (4, 3000),
    "donation_amount": (0.01, 500),
}
INTEGERS: dict[str, tuple[int, int]] = {
    "workers": (3, 180), "overdue_days": (30, 900), "total_times": (1, 60), "deaths": (0, 2),
    "serious_injuries": (0, 5), "volume_ml": (200, 400),
}
# Dates: days from the decision date (low, high). Past events stay on or before today.
DATES: dict[str, tuple[int, int]] = {
    "valid_from": (0, 0), "valid_to": (365, 5 * 365), "penalty_valid_to": (30, 365), "publish_until": (90, 365),
    "effective_date": (10, 30), "refusal_to_perform_judgment.effective_date": (-720, -330),
    "sentence_start": (-240, -30), "filing_date": (-400, -30), "listing_end": (730, 730),
    "perform_deadline": (-300, -30), "sanction_end": (365, 730), "exam_date": (-90, -7),
    "ban_until": (365, 5 * 365), "accident_date": (-300, -30), "ban_start": (0, 0), "ban_end": (365, 1095),
    "agreement_date": (-2000, -200), "rectify_deadline": (30, 180), "agreed_pay_date": (-900, -60),
    "due_date": (-600, -30), "breach_date": (-600, -30), "enforcement_date": (0, 30),
    "reapply_ban_until": (365, 1095), "overdue_since": (-720, -60), "honour_valid_to": (1095, 1825),
    "as_of": (0, 0), "donation_date": (0, 0), "commitment_date": (-720, -30), "performance_date": (0, 90),
    "credit_commitment.valid_to": (180, 3 * 365),
}
# Optional facts are filled this often (the rest: 80%).
FILL_RATE = {"remarks": 0.08, "award": 0.3, "licence_revoked": 1.0, "intermediary": 0.2, "legal_rep_id_type": 1.0}

PLACES = ["东湖", "城南", "新城", "翠苑", "江南", "双溪", "北山", "凤凰", "金沙", "荷花", "清河", "望江", "锦绣", "桃源", "云峰", "南岸"]
COMPANY_WORDS = ["建设有限公司", "机械制造有限公司", "化工有限公司", "纺织有限公司", "物流有限公司", "食品有限公司"]
GENERIC_RESULTS = ["已按规定处理", "责令限期整改", "已移送有关部门", "整改完毕"]
