"""The city report's polish (issue 18, second round): the plane's own caption, Chinese colons, quantities at their
display precision, the yes/no form field's own wording; and the region dashboard's cache follows the agreements."""

import re

import pytest
from django.core.cache import cache
from django.utils import translation

from accounts.roles import Role
from assessment.dashboards import panels
from assessment.forms import ResponseForm
from assessment.models import Indicator, Response
from assessment.reports.city_content import city_report_context
from assessment.reports.content import _filters, city_region
from assessment.reports.render import city_report_html
from cities.models import Agreement, AgreementParty, City

pytestmark = pytest.mark.django_db

PERIOD = 2025
# A number printed with two decimals or more, as the gap plan's computed targets were ("49.52%").
TOO_PRECISE = re.compile(r"\d\.\d{2,}")


def test_the_plane_caption_is_the_planes_own(g60_demo, user_with_role):
    reader = user_with_role(Role.STAKEHOLDER)
    city = City.objects.get(code="310000")
    context = city_report_context(user=reader, city=city, period=PERIOD, region_code="G60")
    region = city_region(city, "G60")
    view = panels.region_view(reader, region, _filters(reader, region, g60_demo, PERIOD))
    plane = next(panel for panel in panels.city_panels(reader, view, city)[0] if panel.slug == "plane")
    assert context["plane_caption"] == plane.caption_in_print and plane.caption_in_print
    html = city_report_html(user=reader, city=city, period=PERIOD, language="en", region_code="G60")
    assert "the dotted lines are the region's medians" not in html


def test_chinese_labels_take_the_full_width_colon(g60_demo, user_with_role):
    """ "城市：上海", "合作对象：…": no label of the Chinese report is followed by a half-width colon."""
    reader = user_with_role(Role.STAKEHOLDER)
    city = City.objects.get(code="310000")
    html = city_report_html(user=reader, city=city, period=PERIOD, language="zh-hans", region_code="G60")
    assert "城市：上海 · Shanghai（310000）" in html
    assert re.search(r"评估：[^<]*，修订版\d+，\d{4}-\d\d-\d\d发布", html)
    assert "合作对象：</strong>" in html
    text = re.sub(r"<[^>]+>", "", html)
    assert not re.findall(r"[\u4e00-\u9fff]: ", text)


def test_quantities_print_at_their_display_precision(g60_demo, user_with_role):
    reader = user_with_role(Role.STAKEHOLDER)
    wuhu = City.objects.get(code="340200")
    context = city_report_context(user=reader, city=wuhu, period=PERIOD, region_code="G60")
    printed = [text for item in context["recommendations"] for text in (item.current, item.target)]
    printed += [text for row in context["step_rows"] for text in (row["from"], row["to"])]
    assert printed and not [text for text in printed if TOO_PRECISE.search(text)]


def test_a_quantity_target_is_rounded_towards_better():
    """A target shown rounded down would fall short of what the gap plan asks."""
    from assessment.selectors.recommendations import quantity_shown

    share = Indicator(type=Indicator.Type.QUANTITATIVE, direction=Indicator.Direction.HIGHER_IS_BETTER)
    days = Indicator(type=Indicator.Type.QUANTITATIVE, direction=Indicator.Direction.LOWER_IS_BETTER)
    count = Indicator(type=Indicator.Type.COUNT, direction=Indicator.Direction.HIGHER_IS_BETTER)
    assert quantity_shown(share, 49.52, target=True) == 49.6 and quantity_shown(share, 49.52) == 49.5
    assert quantity_shown(share, 49.5, target=True) == 49.5
    assert quantity_shown(days, 12.38, target=True) == 12.3
    assert quantity_shown(count, 38.2, target=True) == 39 and quantity_shown(count, 38.2) == 38
    assert quantity_shown(Indicator(type=Indicator.Type.LEVEL), 3.0, target=True) == 3.0


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "回答"), ("en", "Answer")])
def test_the_yes_no_field_of_the_form_reads_as_a_question_not_a_report_column(g60_demo, language, label):
    response = (
        Response.objects.filter(indicator__type=Indicator.Type.QUANTITATIVE, assessment__period=PERIOD)
        .select_related("indicator__node", "assessment")
        .first()
    )
    # DSMF 1.0 has no yes/no indicator: one of its quantities is read as one, in memory only.
    response.indicator.type = Indicator.Type.BINARY
    with translation.override(language):
        form = ResponseForm(response=response)
        assert str(form.fields["value"].label) == label


def page(client, url: str) -> str:
    """The page without its per-request CSRF token and script nonces."""
    return re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"', "", client.get(url).content.decode())


def test_an_agreement_change_shows_on_the_region_dashboard_at_once(g60_demo, manager):
    cache.clear()
    url = f"/dashboards/regions/G60/?period={PERIOD}"
    first = page(manager, url)
    assert page(manager, url) == first  # served from the cache
    # A new agreement in force between two members, in a domain that binds few pairs.
    agreement = Agreement.objects.create(
        key="test-logistics-pair",
        title_zh="物流合作",
        title_en="Logistics cooperation",
        domain=Agreement.Domain.LOGISTICS,
        mode=Agreement.Mode.DATA_SHARING,
        status=Agreement.Status.IN_FORCE,
    )
    for code in ("310000", "340200"):
        AgreementParty.objects.create(agreement=agreement, city_id=code)
    changed = page(manager, url)
    assert changed != first
    # A party's role change alone (member -> observer), in place as an import makes it, moves the page too.
    AgreementParty.objects.filter(agreement=agreement, city_id="340200").update(role=AgreementParty.Role.OBSERVER)
    assert page(manager, url) != changed
