"""The reasonableness flags of an assessment's answers, for the review page (rules: assessment.scoring.reasonableness).

The peers of an answer are the same indicator's answers in the assessment's
campaign (or, outside a campaign, in the consultant assessments of the same
framework version and period); its previous value is the city's standing
published answer of the latest earlier period, matched by indicator code.
"""

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from assessment.framework.document import plain_number_text
from assessment.models import Assessment, Indicator, Response
from assessment.scoring import reasonableness as rules


def _peers(assessment: Assessment) -> Q:
    if assessment.campaign_id:
        return Q(assessment__campaign_id=assessment.campaign_id)
    return Q(
        assessment__framework_id=assessment.framework_id,
        assessment__period=assessment.period,
        assessment__kind=Assessment.Kind.CONSULTANT,
    )


def answer_flags(assessment: Assessment) -> dict[int, list[str]]:
    """Response id -> the reasons (translated sentences) to look again at that answer."""
    quantitative = ~Q(indicator__type=Indicator.Type.LEVEL) & Q(value__isnull=False, not_applicable=False)
    own = list(assessment.responses.filter(quantitative).select_related("indicator__node"))
    if not own:
        return {}
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
    flags: dict[int, list[str]] = {}
    for response in own:
        code, indicator = response.indicator.node.code, response.indicator
        texts = []
        outlier = rules.outlier_flags(peer_values[code]).get(assessment.city_id)
        if outlier is not None:
            texts.append(
                _(
                    "An outlier among the %(cities)d cities answering it: %(value)s against a median of %(median)s "
                    "(robust z = %(z)s; flagged beyond ±%(limit)s)."
                )
                % {
                    "cities": len(peer_values[code]),
                    "value": plain_number_text(outlier.value),
                    "median": plain_number_text(round(outlier.reference, 2)),
                    "z": plain_number_text(round(outlier.measure, 1)),
                    "limit": plain_number_text(rules.ROBUST_Z_LIMIT),
                }
            )
        if indicator.lower is not None and indicator.upper is not None and previous is not None:
            jump = rules.jump_flag(response.value, previous_values.get(code), indicator.lower, indicator.upper)
            if jump is not None:
                texts.append(
                    _(
                        "Changed from %(previous)s in %(period)d to %(value)s: more than %(share)s%% of the "
                        "goalpost range in one period."
                    )
                    % {
                        "previous": plain_number_text(jump.reference),
                        "period": previous.period,
                        "value": plain_number_text(jump.value),
                        "share": plain_number_text(rules.JUMP_SHARE_OF_RANGE * 100),
                    }
                )
        stale = rules.old_data_flag(response.value, response.value_year, assessment.period)
        if stale is not None:
            texts.append(
                _("The value is about %(year)d, %(age)d years before the period (more than %(limit)d).")
                % {"year": response.value_year, "age": int(stale.measure), "limit": rules.MAX_DATA_AGE_YEARS}
            )
        if texts:
            flags[response.pk] = texts
    return flags
