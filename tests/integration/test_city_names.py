"""苏州 and 宿州 are both "Suzhou", 泰州 and 台州 both "Taizhou": English names that
another city shares carry their province, the others stay short."""

import pytest
from django.utils import translation

from cities.models import City, forget_ambiguous_english_names


@pytest.fixture
def cities(reference_data):
    forget_ambiguous_english_names()
    return {city.code: city for city in City.objects.select_related("province")}


def test_namesakes_carry_their_province_in_english(cities):
    assert cities["320500"].name_en_distinct == "Suzhou (Jiangsu)"
    assert cities["341300"].name_en_distinct == "Suzhou (Anhui)"
    assert cities["321200"].name_en_distinct == "Taizhou (Jiangsu)"
    assert cities["331000"].name_en_distinct == "Taizhou (Zhejiang)"
    assert cities["320100"].name_en_distinct == "Nanjing"
    assert cities["310000"].name_en_distinct == "Shanghai"


@pytest.mark.chinese
def test_chinese_names_need_no_province(cities):
    with translation.override("zh-hans"):
        assert cities["320500"].name_distinct == "苏州"
        assert cities["341300"].name_distinct == "宿州"
    with translation.override("en"):
        assert cities["341300"].name_distinct == "Suzhou (Anhui)"


def test_a_new_namesake_is_told_apart_at_once(cities):
    assert cities["320100"].name_en_distinct == "Nanjing"
    City.objects.filter(code="320500").update(name_en="Nanjing")  # no signal: a bulk update
    City.objects.get(code="320500").save()  # a save forgets the kept set
    assert City.objects.get(code="320100").name_en_distinct == "Nanjing (Jiangsu)"
