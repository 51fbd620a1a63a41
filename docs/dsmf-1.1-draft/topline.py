"""DSMF 1.1's top-level changes: method, gates, texts, change log."""


def _sub(text, old, new):
    assert old in text, old[:60]
    return text.replace(old, new)


def counts(doc):
    inds = [n for n in doc["nodes"] if n.get("indicator")]
    by_type = {}
    for n in inds:
        by_type[n["indicator"]["type"]] = by_type.get(n["indicator"]["type"], 0) + 1
    return len(inds), by_type


def apply(doc, retired, extra_log=(), texts=None):
    texts = texts or {}
    doc["method"]["gap_steps_per_period"] = 2
    for stage in doc["stages"]:
        if stage["code"] == "S1+":
            stage["gates"] = ["X6.1"]
            stage["description"]["zh"] += (
                "自本级起，网络安全与信息安全管理（X6.1）须不低于关键下限：部门开始共享数据，即须落实网络安全等级保护。"
            )
            stage["description"]["en"] += (
                " From this rung up, cybersecurity and information-security management (X6.1) "
                "must be at least at the critical floor: once departments share data, graded "
                "cybersecurity protection must be in place."
            )
    n, by_type = counts(doc)
    derived = [x["code"] for x in doc["nodes"] if x.get("indicator") and x["indicator"].get("derived_from")]
    critical = [x["code"] for x in doc["nodes"] if x.get("indicator") and x["indicator"].get("critical")]

    # Names and descriptions: 半区 -> 分指数 (review: not used in Chinese evaluation documents).
    for node in doc["nodes"]:
        node["description"]["zh"] = node["description"]["zh"].replace("半区", "分指数")
    doc["description"]["zh"] = (
        doc["description"]["zh"].replace("两个等权半区", "两个等权分指数").replace("共54项指标", f"共{n}项指标")
    )
    doc["description"]["en"] = doc["description"]["en"].replace(
        "with 54 indicators in all", f"with {n} indicators in all"
    )

    zh, en = doc["methodology"]["zh"], doc["methodology"]["en"]
    # §2
    zh = _sub(zh, "由两个等权的半区构成", "由两个等权的分指数构成")
    zh = _sub(zh, "11个维度下共54项指标", f"11个维度下共{n}项指标")
    en = _sub(en, "The eleven dimensions hold 54 indicators.", f"The eleven dimensions hold {n} indicators.")
    # §3 counts and the level scale
    zh = _sub(zh, "等级指标（37项）", f"等级指标（{by_type.get('level', 0)}项）")
    zh = _sub(zh, "定量指标（10项）", f"定量指标（{by_type.get('quantitative', 0)}项）")
    zh = _sub(zh, "计数指标（7项）", f"计数指标（{by_type.get('count', 0)}项）")
    zh = _sub(
        zh,
        "是非指标（1.0版未使用）",
        "是非指标（1.1版未使用）" if not by_type.get("binary") else f"是非指标（{by_type['binary']}项）",
    )
    en = _sub(en, "Level indicators (37)", f"Level indicators ({by_type.get('level', 0)})")
    en = _sub(en, "Quantitative indicators (10)", f"Quantitative indicators ({by_type.get('quantitative', 0)})")
    en = _sub(en, "count indicators (7)", f"count indicators ({by_type.get('count', 0)})")
    en = _sub(
        en,
        "binary indicators (none in version 1.0)",
        "binary indicators (none in version 1.1)"
        if not by_type.get("binary")
        else f"binary indicators ({by_type['binary']})",
    )
    zh = _sub(
        zh,
        "4级集成（可度量，与其他系统或城市贯通）；5级引领（持续优化，成为区域标杆）。",
        "4级集成（可度量，与本市其他系统贯通）；5级引领（按指标持续优化，在全市范围内形成闭环）。"
        "城市内生成熟度各指标的5级只描述本市范围内的最高水平，与其他城市的协同只在跨域就绪"
        "度中计分，避免同一项工作计入两次，也使两个分指数保持为两条相互独立的轴，没有相邻"
        "城市的城市同样可以达到5级。"
        "任何一级都不以获得称号、入选案例或被推广为条件，只看本市文件、系统和数据可以核查"
        "的能力；每级至多两项条件。"
        "省级统建的平台（政务云、政务服务网、数据共享交换平台等）由本市全面使用的，视同本市建成。"
        "每项等级指标的每一级都附有判级示例，说明落在该级而未达上一级的典型证据，供两位评"
        "估人员对照同样的证据判定同样的等级；判级一致性可用盲评复核（加权Kappa）检验。",
    )
    en = _sub(
        en,
        ("4 integrated (measured, joined with other systems or cities); 5 leading (optimised, a regional reference)."),
        "4 integrated (measured, joined with the city's other systems); 5 leading "
        "(optimised, closing the loop across the whole city). "
        "Level 5 of an in-city indicator describes the best the city can do inside its "
        "boundary; work with other cities counts only in cross-boundary readiness, so "
        "that no piece of work counts twice, the two sub-indices stay two independent "
        "axes, and a city without neighbours can reach level 5. "
        "No level depends on a designation, a selection as a model case or adoption by "
        "others: only capability that the city's own documents, systems and data show. A "
        "level has at most two conditions. "
        "A provincial platform (government cloud, online service portal, data sharing "
        "and exchange platform) fully used by the city counts as the city's own. "
        "Every level of every level indicator has a worked example of the evidence that "
        "lands there and not higher, so that two raters reading the same evidence choose "
        "the same level; a blind second rating (weighted kappa) tests how far they do.",
    )
    if "goalposts" in texts:
        zh = _sub(zh, texts["goalposts"][0][0], texts["goalposts"][0][1])
        en = _sub(en, texts["goalposts"][1][0], texts["goalposts"][1][1])
    if "but" in texts:
        zh = _sub(zh, texts["but"][0][0], texts["but"][0][1])
        en = _sub(en, texts["but"][1][0], texts["but"][1][1])
    # §4
    zh = _sub(zh, "维度、半区和指数得分", "维度、分指数和指数得分")
    # §6
    zh = _sub(zh, "（1.0版为60分，", "（本版本为60分，")
    en = _sub(en, "(60 of 100 in version 1.0,", "(60 of 100 in this version,")
    zh = _sub(
        zh,
        "关键指标缺少数据视为未证实，同样阻断该级。",
        (
            "关键指标缺少数据视为未证实，同样阻断该级。网络安全与信息安全管理（X6.1）自S1+起即"
            "为门槛，S1+及以上各级均要求其不低于关键下限：部门开始共享数据之时，即须落实网络安"
            "全等级保护，X6.1为0级的城市不应处于S3。"
        ),
    )
    en = _sub(
        en,
        "A critical indicator without data counts as not demonstrated and blocks the rung.",
        (
            "A critical indicator without data counts as not demonstrated and blocks the "
            "rung. Cybersecurity and information-security management (X6.1) gates every rung "
            "from S1+ up: once departments share data, graded cybersecurity protection must "
            "be in place, and a city with X6.1 at level 0 cannot be S3."
        ),
    )
    zh = _sub(
        zh,
        "关键指标低于下限的排在最前。",
        (
            "关键指标低于下限的排在最前。差距计划中每项指标每期至多提升{gap_steps}级，计划因此"
            "分散到多项指标；一期内达不到的阶段标注为本期不可达，并列出一期能做到的改进。效果"
            "相同的改进中，先列本市可控的指标，再列需区域协商、需上级统筹的指标（各指标的可控"
            "性）。"
        ),
    )
    en = _sub(
        en,
        "with any critical indicator below the floor listed first.",
        (
            "with any critical indicator below the floor listed first. The gap plan moves "
            "each indicator by at most {gap_steps} levels per period, so it spreads over "
            "several indicators; a rung that one period cannot reach is marked as such, with "
            "what one period can do. Between improvements that do equally well, those the "
            "city controls come first, then those that need the region, then those that need "
            "the province (each indicator's controllability)."
        ),
    )
    # §7
    x24 = texts.get(
        "x24", ("X2.4社保与住房公积金跨城转移和使用", "X2.4, social security and housing provident fund across cities")
    )
    zh = _sub(
        zh,
        "共6项指标标记为关键，除X6外每个维度至多一项：",
        f"共{len(critical)}项指标标记为关键，除X6外每个维度至多一项：",
    )
    zh = _sub(
        zh,
        "W3.2统一平台统筹调度城市资源（统筹推进期的标志性特征）；",
        f"W3.2统一平台统筹调度城市资源（统筹推进期的标志性特征）；{x24[0]}（1.1版新增为关键：互认是跨域服务的实质，社保和公积金是流动人口最常遇到、影响面最广的互认事项，1.0版X2至X5没有关键指标，城市可以在互认基础缺失的情况下达到S4）；",
    )
    en = _sub(
        en,
        "Six indicators are flagged critical, at most one per dimension except X6:",
        f"{len(critical)} indicators are flagged critical, at most one per dimension except X6:".replace(
            "7 ", "Seven "
        ),
    )
    en = _sub(
        en,
        (
            "W3.2, the unified platform that schedules city resources (the defining feature "
            "of the coordinated-promotion wave);"
        ),
        (
            f"W3.2, the unified platform that schedules city resources (the defining feature of the "
            f"coordinated-promotion wave); {x24[1]} (critical from version 1.1: mutual recognition is "
            f"the substance of cross-boundary service, and social security and the provident fund are "
            f"the recognitions mobile residents meet most; under 1.0 X2 to X5 had no critical indicator,"
            f" so a city could reach S4 without them);"
        ),
    )
    # §8
    zh = _sub(
        zh,
        "11项跨域指标（X2.3、X2.4、X2.6、X3.4、X4.1、X4.2、X4.3、X4.4、X5.2、X5.3、X6.5）",
        f"{len(derived)}项跨域指标（{'、'.join(derived)}）",
    )
    en = _sub(
        en,
        ("Eleven cross-boundary indicators (X2.3, X2.4, X2.6, X3.4, X4.1, X4.2, X4.3, X4.4, X5.2, X5.3, X6.5)"),
        f"{len(derived)} cross-boundary indicators ({', '.join(derived)})".replace("11 ", "Eleven "),
    )
    # §11
    zh = _sub(zh, "跨域半区还参照", "跨域分指数还参照")
    # §12
    zh = _sub(
        zh,
        "1.0版所有continues均为空。",
        (
            "1.1版每项指标都在continues中记录所延续的1.0版指标，并在change中记录变化类型（口径"
            "不变、仅改写描述、仅调整标准化上下限、拆分、合并或新增）及原因；不再使用的指标和"
            "阶段、方法的变化列入变更日志。前三类指标的1.0版答案按1.1版重新计分仍有意义，城市"
            "趋势因此能跨越版本断点：按1.0版发布的年份，用这些答案按1.1版重新表达，其余指标在"
            "这些年份缺失；图表和报告标出断点，跨断点的比较都注明这一点。"
        ),
    )
    en = _sub(
        en,
        "In version 1.0 every continues list is empty.",
        (
            "In version 1.1 every indicator lists in continues the 1.0 indicators it "
            "continues and in change the kind of change (same, reworded, rescaled, split, "
            "merged or new) with its reason; retired indicators and changes to stages and "
            "the method are in the change log. Answers to indicators of the first three "
            "kinds still mean the same under 1.1, so the city trend crosses the version "
            "break: periods published under 1.0 are re-expressed in 1.1 from those answers, "
            "the other indicators are missing for them, and charts and reports mark the "
            "break and say so wherever a comparison crosses it."
        ),
    )
    doc["methodology"] = {"zh": zh, "en": en}

    log = [{"item": r["item"], "kind": "retired", "zh": r["zh"], "en": r["en"]} for r in retired]
    log += [
        {
            "item": "S1+",
            "kind": "changed",
            "zh": (
                "网络安全与信息安全管理（X6.1）自S1+起即为阶段门槛（不低于关键下限），不再只在S4把"
                "关：部门开始共享数据之时即须落实网络安全等级保护。1.0版中X6.1为0级的城市仍可处于"
                "S3，这在《网络安全法》和等级保护2.0之下属于不合规，而非成熟度不足。"
            ),
            "en": (
                "Cybersecurity and information-security management (X6.1) gates every stage from "
                "S1+ (at least the critical floor), not only S4: once departments share data, "
                "graded cybersecurity protection must be in place. Under 1.0 a city with X6.1 at "
                "level 0 could be S3, which under the Cybersecurity Law and graded protection "
                "2.0 is non-compliance, not immaturity."
            ),
        },
        {
            "item": "method",
            "kind": "changed",
            "zh": (
                "差距计划每项指标每期至多提升2级（gap_steps_per_period = "
                "2），效果相同的改进先列本市可控的指标：1.0版的差距计划曾让同一指标在一个评估周期"
                "内从1级升至5级（杭州X3.2），没有城市能做到；封顶后计划分散到更多指标，一期达不到"
                "的阶段标为本期不可达。"
            ),
            "en": (
                "The gap plan moves each indicator by at most two levels per period "
                "(gap_steps_per_period = 2) and, between equally effective steps, lists first "
                "those the city controls: under 1.0 it planned one indicator from level 1 to 5 "
                "in a single cycle (Hangzhou, X3.2), which no city does; with the cap the plan "
                "spreads over more indicators, and a stage that one period cannot reach is "
                "marked as such."
            ),
        },
        {
            "item": "",
            "kind": "changed",
            "zh": (
                "术语：两个“半区”改称“分指数”（中文评价文件不用“半区”）；标准化所用的上下阈值由“"
                "目标区间”改称“标准化上下限”，避免被读作政策目标。"
            ),
            "en": (
                "Terms: the two 'halves' are called sub-indices (分指数) in Chinese, as "
                "evaluation documents say; goalposts are rendered 标准化上下限 instead of "
                "目标区间, which read like a policy target."
            ),
        },
        {
            "item": "",
            "kind": "changed",
            "zh": (
                "等级描述：城市内生成熟度各指标的5级只描述本市范围内的最高水平（1.0版有14项要求与"
                "其他城市协同，跨域工作被计入两次，没有相邻城市的城市最高只能到4级），跨城内容移入"
                "X维度；任何等级不再以典型案例、示范或被推广为条件（1.0版有10项）；每级至多两项条"
                "件；省级统建平台由本市全面使用的视同本市建成；每项等级指标每一级附判级示例。"
            ),
            "en": (
                "Level descriptors: level 5 of every in-city indicator describes in-city "
                "excellence (under 1.0, 14 asked for work with other cities, which counted "
                "cross-boundary work twice and capped a city without neighbours at level 4); the "
                "cross-city content moved to the X dimensions. No level depends any more on a "
                "model case, a demonstration status or adoption by others (10 did under 1.0). A "
                "level has at most two conditions. A provincial platform fully used by the city "
                "counts as its own. Every level of every level indicator has a worked example."
            ),
        },
        {
            "item": "",
            "kind": "changed",
            "zh": (
                "可控性：每项指标记录本市可控、需区域协商或需上级统筹，用于差距计划的排序和改进建"
                "议的时间框架（1.0版把依赖省级、国家层面决定的指标当作城市自身差距）。"
            ),
            "en": (
                "Controllability: every indicator records whether the city controls it, needs "
                "regional agreement or needs the province or the state; the gap plan's order and "
                "the recommendations' horizon use it (under 1.0 indicators that depend on "
                "provincial or national decisions were presented as the city's own gaps)."
            ),
        },
    ]
    log += list(extra_log)
    doc["change_log"] = log


def _number(value):
    """A goalpost as written in the text: 0.5 as 0.5, 100 as 100."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def goalpost_texts(doc):
    """§3's goalposts sentence for 1.1, listed from the document so it cannot disagree with it."""
    zh_items, en_items = [], []
    for node in doc["nodes"]:
        ind = node.get("indicator")
        if not ind or ind["type"] not in ("quantitative", "count"):
            continue
        lo, hi = ind["lower"], ind["upper"]
        unit_zh, unit_en = ind["unit"]["zh"], ind["unit"]["en"]
        if ind["type"] == "quantitative" and unit_zh == "%" and (lo, hi) == (0, 100):
            continue
        span = f"{_number(lo)}—{_number(hi)}", f"{_number(lo)}-{_number(hi)}"
        unit = ("", "") if ind["type"] == "count" else (unit_zh, unit_en if unit_en == "%" else f" {unit_en}")
        zh_items.append(f"{node['code']}{node['name']['zh']}为{span[0]}{unit[0]}")
        en_items.append(f"{node['code']} ({node['name']['en']}) {span[1]}{unit[1]}")
    old_zh = (
        "阈值沿用设计说明中的建议值：比例类为0—100%；每万人5G基站数为0—40；高频事项办理时"
        "长压缩率为0—80%（压缩超过八成后，剩余时长多为法定公示等不可压缩环节）；市民满意度"
        "为50%—100%（低于50%的差异对评分不具意义）；各计数指标的上限代表本版本视为充分达成"
        "的水平，超过上限按100分计，待数据积累后复核。"
    )
    new_zh = (
        "标准化上下限：比例类一般为0—100%，以下指标另定——" + "；".join(zh_items) + "。"
        "比例类指标中大多数城市已接近上限的，下限提高到50%（如全程网办率、最多跑一次事项比"
        "例），否则定量指标会相对于典型取值为2—3级（40—60分）的等级指标虚高；"
        "各计数指标的上限代表本版本视为充分达成的水平，超过上限按100分计，待数据积累后复核"
        "。各指标上下限的变化及原因见变更日志和各指标的变化说明。"
    )
    old_en = (
        "Goalposts follow the design brief: 0-100% for shares; 0-40 for 5G base stations "
        "per 10,000 residents; 0-80% for the reduction in processing time (beyond 80% "
        "the remaining time is mostly statutory notice periods that cannot be cut); "
        "50-100% for resident satisfaction (differences below 50% carry no useful "
        "information for scoring). The upper goalposts of the counts mark the level this "
        "version treats as full attainment; values above them score 100, and the "
        "goalposts will be reviewed as data accumulate. "
    )
    new_en = (
        "Goalposts: 0-100% for shares, except " + "; ".join(en_items) + ". "
        "Where most cities are already near the top of a share, the lower goalpost is "
        "raised to 50% (services fully online, services needing at most one visit); "
        "otherwise quantitative items would score high against level items, whose "
        "typical 2-3 is 40-60 points. "
        "The upper goalposts of the counts mark the level this version treats as full "
        "attainment; values above them score 100, and the goalposts will be reviewed as "
        "data accumulate. Each indicator's change of goalposts and its reason are in its "
        "change note. "
    )
    return ((old_zh, new_zh), (old_en, new_en))


def but_texts(doc):
    """§3's rating rule: the 但 convention is dropped when no 1.1 level descriptor uses it any more."""
    uses = any(
        "但" in level["zh"] for node in doc["nodes"] for level in ((node.get("indicator") or {}).get("levels") or [])
    )
    if uses:
        return None
    return (
        (
            "描述中“但……”之后的文字说明该级与上一级之间的典型差距，不构成该级的条件。",
            (
                "1.1版的等级描述只写该级的条件，不再用“但……”描述与上一级的差距（1.0版的这一写法容"
                "易被误读为上限）；差距见判级示例。"
            ),
        ),
        (
            (
                "text after 'but' in a descriptor describes the typical gap to the next level "
                "and is not a condition of that level."
            ),
            (
                "version 1.1 descriptors state only the level's conditions and no longer "
                "describe the gap to the next level after 'but' (1.0's convention, easily "
                "misread as an upper bound); the worked examples show the gap."
            ),
        ),
    )
