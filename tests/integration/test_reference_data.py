from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cities.models import City, Region, RegionMembership

pytestmark = pytest.mark.django_db

G60 = {"310000", "330400", "330100", "330700", "320500", "330500", "341800", "340200", "340100"}
JJJ = {"110000", "120000"} | {f"13{n:02d}00" for n in range(1, 12)}


def members(code: str) -> set[str]:
    return set(RegionMembership.objects.filter(region_id=code).values_list("city_id", flat=True))


def test_reference_regions_hold_exactly_their_member_cities(reference_data):
    assert members("G60") == G60
    assert members("JJJ") == JJJ
    yrd = members("YRD")
    assert len(yrd) == 41
    assert {code[:2] for code in yrd} == {"31", "32", "33", "34"}
    assert sum(code.startswith("32") for code in yrd) == 13
    assert sum(code.startswith("33") for code in yrd) == 11
    assert sum(code.startswith("34") for code in yrd) == 16
    assert G60 <= yrd
    assert City.objects.count() == 54


@pytest.mark.parametrize(
    ("code", "name_zh", "province"),
    [
        ("320500", "苏州", "320000"),
        ("341300", "宿州", "340000"),
        ("321200", "泰州", "320000"),
        ("331000", "台州", "330000"),
    ],
)
def test_look_alike_city_names_are_told_apart_by_code(reference_data, code, name_zh, province):
    city = City.objects.get(code=code)
    assert city.name_zh == name_zh
    assert city.province_id == province


def test_reference_coordinates_lie_in_eastern_china(reference_data):
    for city in City.objects.all():
        assert 27 < city.latitude < 43, city
        assert 113 < city.longitude < 123, city


def test_loading_reference_data_twice_changes_nothing(reference_data):
    before = (City.objects.count(), RegionMembership.objects.count(), Region.objects.count())
    call_command("load_reference_data", verbosity=0)
    assert (City.objects.count(), RegionMembership.objects.count(), Region.objects.count()) == before


HEADER = (
    "code,name_zh,name_en,province_code,province_zh,province_en,level,latitude,longitude,"
    "population,population_year,population_source\n"
)
GOOD_ROW = "320500,苏州,Suzhou,320000,江苏省,Jiangsu,prefecture,31.2990,120.5853,12748262,2020,census\n"


def import_csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "cities.csv"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(CommandError) as raised:
        call_command("import_cities", str(path))
    return str(raised.value)


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        ("32050,苏州,Suzhou,320000,江苏省,Jiangsu,prefecture,31.3,120.6,,,\n", "line 3, column “code”"),
        ("341300,宿州,Suzhou,320000,江苏省,Jiangsu,prefecture,33.6,117.0,,,\n", "does not belong to province 320000"),
        ("321200,泰州,Taizhou,320000,江苏省,Jiangsu,town,32.5,119.9,,,\n", "column “level”"),
        (
            "321200,泰州,Taizhou,320000,江苏省,Jiangsu,prefecture,north,119.9,,,\n",
            "column “latitude”: “north” is not a number",
        ),
        ("321200,泰州,Taizhou,320000,江苏省,Jiangsu,prefecture,32.5,219.9,,,\n", "column “longitude”"),
        (
            "321200,泰州,Taizhou,320000,江苏省,Jiangsu,prefecture,inf,119.9,,,\n",
            "column “latitude”: “inf” is not a number",
        ),
        (
            "321200,泰州,Taizhou,320000,江苏省,Jiangsu,prefecture,32.5,NaN,,,\n",
            "column “longitude”: “NaN” is not a number",
        ),
        (
            "321200,泰州,Taizhou,320000,江苏省,Jiangsu,prefecture,1e999,119.9,,,\n",
            "column “latitude”: 1E+999 is outside -90 to 90",
        ),
        (
            "321200,泰州,Taizhou,320000,江苏省,Jiangsu,prefecture,32.5,119.9,1e999,2020,\n",
            "column “population”: “1e999” is not a whole number",
        ),
        ("321200,泰州,Taizhou,320000,江苏省,Jiangsu,prefecture,32.5,119.9,4512762,,\n", "column “population_year”"),
        ("320500,苏州,Suzhou,320000,江苏省,Jiangsu,prefecture,31.3,120.6,,,\n", "already appears on line 2"),
        ("321200,,Taizhou,320000,江苏省,Jiangsu,prefecture,32.5,119.9,,,\n", "column “name_zh”: is empty"),
    ],
)
def test_a_bad_city_row_is_reported_by_line_and_nothing_is_written(tmp_path, bad_row, expected):
    message = import_csv(tmp_path, HEADER + GOOD_ROW + bad_row)
    assert expected in message
    assert "nothing was written" in message
    assert City.objects.count() == 0


def test_a_csv_with_missing_columns_names_them(tmp_path):
    message = import_csv(tmp_path, "code,name_zh\n320500,苏州\n")
    assert "missing columns: name_en" in message


def test_a_csv_in_gbk_encoding_is_refused_with_advice(tmp_path):
    message = import_csv(tmp_path, HEADER + GOOD_ROW, encoding="gbk")
    assert "not UTF-8" in message
    assert City.objects.count() == 0


def test_a_good_csv_creates_then_updates_cities(tmp_path):
    path = tmp_path / "cities.csv"
    path.write_text(HEADER + GOOD_ROW, encoding="utf-8")
    call_command("import_cities", str(path), verbosity=0)
    assert City.objects.get(code="320500").population == 12748262
    path.write_text(HEADER + GOOD_ROW.replace("12748262", "12748263"), encoding="utf-8")
    call_command("import_cities", str(path), verbosity=0)
    assert City.objects.get(code="320500").population == 12748263


@pytest.mark.chinese
def test_import_problems_are_reported_in_chinese_by_default(tmp_path):
    message = import_csv(
        tmp_path, HEADER + GOOD_ROW + "32050,苏州,Suzhou,320000,江苏省,Jiangsu,prefecture,31.3,120.6,,,\n"
    )
    assert "第 3 行“code”列" in message
    assert "未写入任何数据" in message
