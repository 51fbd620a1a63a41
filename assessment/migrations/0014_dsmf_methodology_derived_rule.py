"""DSMF 1.0 loaded before this change describes the derived indicators' network measure as "network density"
(the share of city pairs bound at all), which the product no longer shows: one region-wide agreement makes it
100 % everywhere, and the pair x domain coverage replaced it. Nor does it state the depth rule of derived
proposals (assessment/derived_indicators.py: level 4 needs a deep mode; level 5 needs every member reached by
at least two agreements in two modes covering every listed domain; an indicator listing no deep mode,
X6.5, is proposed at most level 3). Replace section 8, in both languages, by
the shipped one, whose numbers are placeholders filled from assessment.derived_indicators
(assessment/framework/methodology.py). Only a section 8 that still reads exactly as shipped is replaced, so an
administrator's own wording is kept. Both texts are frozen here: a later change of the fixture must not change
what this migration did. The historical model bypasses the published-version lock; the scores do not change.
"""

from django.db import migrations

OLD_SECTION = {
    "zh": (
        '八、由协议推导的指标。11项跨域指标（X2.3、X2.4、X2.6、X3.4、X4.1、X4.2、X4.3、X4.4、X5.2、X5.3、X6.5）设有derived_from筛选条件：系统依据本市已'
        '记录的城市间协议（服务领域、合作方式、参与城市、状态、日期、证据）生成建议值，例如X3.4的共享领域数，或等级描述中“至少3个合作城市”等门槛所需的合作城市数。建议值只是起点，咨询顾问须对照等级描述确'
        '认或调整并记录理由。协议数据同时用于计算合作城市数、区域覆盖率、网络密度和中心度等网络指标，这些指标与指数并列报告，不计入指数。'
    ),
    "en": (
        '8. Indicators derived from agreements. Eleven cross-boundary indicators (X2.3, X2.4, X2.6, X3.4, X4.'
        '1, X4.2, X4.3, X4.4, X5.2, X5.3, X6.5) carry a derived_from filter: the application proposes a value'
        ' from the inter-city agreements recorded for the city (service domain, mode of cooperation, parties,'
        ' status, dates, evidence), for example the number of domains shared for X3.4, or the number of partn'
        "er cities that thresholds such as 'at least three partner cities' in the level descriptors refer to."
        ' The proposal is a starting point; the consultant confirms or overrides it against the descriptor an'
        'd records the reason. Agreement records also yield network measures (number of partners, regional co'
        'verage, network density, centrality), which are reported alongside the index, not inside it.'
    ),
}

NEW_SECTION = {
    "zh": (
        '八、由协议推导的指标。11项跨域指标（X2.3、X2.4、X2.6、X3.4、X4.1、X4.2、X4.3、X4.4、X5.2、X5.3、X6.5）设有derived_from筛选条件：系统依据本市已'
        '记录、在评估参照日有效的城市间协议（服务领域、合作方式、参与城市、状态、日期、证据）生成建议值，观察方不计为参与城市。计数指标（如X3.4）的建议值为所列领域中至少有一项协议覆盖的领域数。等级指标的建'
        '议值兼顾广度（合作城市数）和深度（协议数、覆盖的所列领域数和合作方式）：没有合作城市为0级；合作城市少于{derived_partners}个为2级；达到{derived_partners}个为3级，'
        '即等级描述中“至少{derived_partners}个合作城市”的门槛；在此基础上至少有一项协议采用数据共享、联合办理或共建机构等深度合作方式，为4级；在4级基础上，与本市所在最大区域的其他全部成员'
        '城市均有协议，协议不少于{derived_agreements}项、合作方式不少于{derived_modes}种，且覆盖该指标所列的全部领域，方为5级。广度不等于深度：一项覆盖全区域的协议虽然连接全'
        '部成员城市，但不会推出5级，且只有其合作方式属于深度合作时才推出4级。'
        '所列合作方式中没有深度合作方式的指标，建议值最高为3级：X6.5只列统一标准一种合作方式，其建议值不超过3级，更高等级由咨询顾问依据证据评定。'
        '建议值只是起点，咨询顾问须对照等级描述确认或调整并记录理由。协议数据同时用于计算合作城市数、城市对×领域覆盖率和中心度等网络指标，'
        '这些指标与指数并列报告，不计入指数。城市对×领域覆盖率是每对成员城市共同签有生效协议的服务领域占全部协议服务领域的比例，在各城市对之间取平均值。不报告网络密度（有协议相连的城市对所占比例）：一项全区域'
        '协议即可使其在任何区域都达到100%，不能说明问题。'
    ),
    "en": (
        '8. Indicators derived from agreements. Eleven cross-boundary indicators (X2.3, X2.4, X2.6, X3.4, X4.'
        '1, X4.2, X4.3, X4.4, X5.2, X5.3, X6.5) carry a derived_from filter: the application proposes a value'
        " from the inter-city agreements recorded for the city and in force on the assessment's reference dat"
        'e (service domain, mode of cooperation, parties, status, dates, evidence); observers are not parties'
        '. For a count indicator such as X3.4 the proposal is the number of listed domains covered by at leas'
        't one such agreement. For a level indicator it weighs breadth (partner cities) and depth (agreements'
        ', listed domains covered, modes): no partner city proposes level 0; fewer than {derived_partners} pa'
        "rtner cities, level 2; {derived_partners} or more, level 3, the threshold of 'at least {derived_part"
        "ners} partner cities' in the level descriptors; level 3 with at least one agreement in a deep mode ("
        'data sharing, joint handling or a joint body), level 4. Level 5 needs, on top of level 4, every othe'
        "r member of the city's largest region reached, at least {derived_agreements} agreements in at least "
        '{derived_modes} modes, and every listed domain covered. Breadth is not depth: one region-wide agreem'
        'ent reaches every member but never proposes level 5, and it proposes level 4 only when its mode is a'
        ' deep one.'
        " An indicator whose listed modes include no deep mode is proposed at most level 3: X6.5 lists the"
        " common-standard mode only, so its proposal never exceeds level 3; a higher level is for the consultant"
        " to give from the evidence."
        ' The proposal is a starting point; the consultant confirms or overrides it against the des'
        'criptor and records the reason. Agreement records also yield network measures (partner cities, pair '
        '× domain coverage, centrality), which are reported alongside the index, not inside it. The pair × do'
        'main coverage is the share of the agreement domains in which an agreement in force binds a pair of m'
        'ember cities, averaged over the pairs. Network density (the share of pairs bound at all) is not repo'
        'rted: one region-wide agreement makes it 100% in any region, which says nothing.'
    ),
}


def _replace(text, old, new):
    """``text`` with its section 8 replaced when it is a whole paragraph reading exactly ``old``; else None."""
    paragraphs = text.split("\n\n")
    if old not in paragraphs:
        return None
    return "\n\n".join(new if paragraph == old else paragraph for paragraph in paragraphs)


def _swap(apps, source, target):
    Framework = apps.get_model("assessment", "Framework")
    for framework in Framework.objects.filter(code="DSMF", version="1.0"):
        changed = []
        for language in ("zh", "en"):
            field = f"methodology_{language}"
            text = _replace(getattr(framework, field), source[language], target[language])
            if text is not None:
                setattr(framework, field, text)
                changed.append(field)
        if changed:
            framework.save(update_fields=changed)


def forwards(apps, schema_editor):
    _swap(apps, OLD_SECTION, NEW_SECTION)


def backwards(apps, schema_editor):
    _swap(apps, NEW_SECTION, OLD_SECTION)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0013_dsmf_guidance"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
