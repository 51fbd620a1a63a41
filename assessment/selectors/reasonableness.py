"""The reasonableness flags of an assessment's answers, for the review page (rules: assessment.scoring.reasonableness).

The peers of an answer are the same indicator's answers in the assessment's
campaign (or, outside a campaign, in the consultant assessments of the same
framework version and period); its previous value is the city's standing
published answer of the latest earlier period, matched by indicator code.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from assessment.framework.document import plain_number_text
from assessment.models import Assessment, FlagAcceptance, Indicator, Response
from assessment.scoring import reasonableness as rules
from cities.bilingual import in_english


def _peers(assessment: Assessment) -> Q:
    if assessment.campaign_id:
        return Q(assessment__campaign_id=assessment.campaign_id)
    return Q(
        assessment__framework_id=assessment.framework_id,
        assessment__period=assessment.period,
        assessment__kind=Assessment.Kind.CONSULTANT,
    )


@dataclass(frozen=True)
class AnswerFlag:
    """A reason to look again at an answer, and the reviewer's acceptance of it if there is one."""

    kind: str  # FlagAcceptance.Kind
    text: str
    accepted: FlagAcceptance | None


def answer_flags(assessment: Assessment) -> dict[int, list[AnswerFlag]]:
    """Response id -> the reasons to look again at that answer (translated), each with its acceptance."""
    texts = _flag_texts(assessment)
    accepted = {
        (a.response_id, a.kind, a.value): a
        for a in FlagAcceptance.objects.filter(response__assessment=assessment).select_related("accepted_by")
    }
    values = dict(assessment.responses.filter(pk__in=texts).values_list("pk", "value"))
    return {
        pk: [AnswerFlag(kind, text, accepted.get((pk, kind, values.get(pk)))) for kind, text in flags]
        for pk, flags in texts.items()
    }


def _flag_texts(assessment: Assessment) -> dict[int, list[tuple[str, str]]]:
    """Response id -> (kind, sentence) of each flag of that answer."""
    flags: dict[int, list[tuple[str, str]]] = defaultdict(list)
    lacking = (
        assessment.responses.filter(indicator__evidence_required=True, not_applicable=False)
        .filter(Q(level__isnull=False) | Q(value__isnull=False))
        .annotate(evidence_count=Count("evidence"))
        .filter(evidence_count=0)
    )
    for pk in lacking.values_list("pk", flat=True):
        flags[pk].append((FlagAcceptance.Kind.NO_EVIDENCE, _("Answered without the evidence the indicator requires.")))
    _rule_flags(assessment, flags)
    quantitative = ~Q(indicator__type=Indicator.Type.LEVEL) & Q(value__isnull=False, not_applicable=False)
    own = list(assessment.responses.filter(quantitative).select_related("indicator__node"))
    if not own:
        return dict(flags)
    codes = {r.indicator.node.code for r in own}
    peer_values: dict[str, dict[str, float]] = defaultdict(dict)
    for code, city, value in Response.objects.filter(
        _peers(assessment), quantitative, indicator__node__code__in=codes
    ).values_list("indicator__node__code", "assessment__city_id", "value"):
        peer_values[code][city] = value
    previous = (
        Assessment.objects.standing_published()
        .filter(city_id=assessment.city_id, period__lt=assessment.period)
        .order_by("-period")
        .first()
    )
    previous_values = (
        dict(previous.responses.filter(quantitative).values_list("indicator__node__code", "value")) if previous else {}
    )
    for response in own:
        code, indicator = response.indicator.node.code, response.indicator
        outlier = rules.outlier_flags(peer_values[code]).get(assessment.city_id)
        if outlier is not None:
            text = _(
                "An outlier among the %(cities)d cities answering it: %(value)s against a median of %(median)s "
                "(robust z = %(z)s; flagged beyond ±%(limit)s)."
            ) % {
                "cities": len(peer_values[code]),
                "value": plain_number_text(outlier.value),
                "median": plain_number_text(round(outlier.reference, 2)),
                "z": plain_number_text(round(outlier.measure, 1)),
                "limit": plain_number_text(rules.ROBUST_Z_LIMIT),
            }
            flags[response.pk].append((FlagAcceptance.Kind.OUTLIER, text))
        if indicator.lower is not None and indicator.upper is not None and previous is not None:
            jump = rules.jump_flag(response.value, previous_values.get(code), indicator.lower, indicator.upper)
            if jump is not None:
                text = _(
                    "Changed from %(previous)s in %(period)d to %(value)s: more than %(share)s%% of the "
                    "goalpost range in one period."
                ) % {
                    "previous": plain_number_text(jump.reference),
                    "period": previous.period,
                    "value": plain_number_text(jump.value),
                    "share": plain_number_text(rules.JUMP_SHARE_OF_RANGE * 100),
                }
                flags[response.pk].append((FlagAcceptance.Kind.JUMP, text))
        stale = rules.old_data_flag(response.value, response.value_year, assessment.period)
        if stale is not None:
            text = _("The value is about %(year)d, %(age)d years before the period (more than %(limit)d).") % {
                "year": response.value_year,
                "age": int(stale.measure),
                "limit": rules.MAX_DATA_AGE_YEARS,
            }
            flags[response.pk].append((FlagAcceptance.Kind.OLD_DATA, text))
    return dict(flags)


def _rule_flags(assessment: Assessment, flags: dict[int, list[tuple[str, str]]]) -> None:
    """Flag the answer a consistency rule of the framework version starts from, with the rule's reason."""
    framework_rules = assessment.framework.consistency_rules
    if not framework_rules:
        return
    answers: dict[str, float | None] = {}
    pks: dict[str, int] = {}
    for pk, code, level, value, not_applicable in assessment.responses.values_list(
        "pk", "indicator__node__code", "level", "value", "not_applicable"
    ):
        pks[code] = pk
        answers[code] = None if not_applicable else (level if level is not None else value)
    english = in_english()
    for rule, first, second in rules.rule_breaches(framework_rules, answers):
        because = rule["because"]["en" if english else "zh"]
        text = _("%(because)s (%(first)s is at %(a)s, %(second)s at %(b)s.)") % {
            "because": because,
            "first": rule["if"]["indicator"],
            "a": plain_number_text(first),
            "second": rule["then"]["indicator"],
            "b": plain_number_text(second),
        }
        flags[pks[rule["if"]["indicator"]]].append((FlagAcceptance.Kind.INCONSISTENT, text))
