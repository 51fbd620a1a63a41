"""A text longer than its model field is reported by line and column, like every other bad row; nothing is written.

Found by the outside probe: a city name longer than the field crashed
`import_cities` with a traceback. The limits are read from the models.
"""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cities.models import Agreement, City, Province

pytestmark = pytest.mark.django_db

CITY_HEADER = (
    "code,name_zh,name_en,province_code,province_zh,province_en,level,latitude,longitude,"
    "population,population_year,population_source\n"
)
AGREEMENT_HEADER = (
    "key,title_zh,title_en,domain,mode,status,parties,region,signed_on,in_force_from,"
    "expires_on,service_items,evidence_url,source\n"
)


def limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def city_row(**changes: str) -> str:
    cells = {
        "code": "320500",
        "name_zh": "苏州",
        "name_en": "Suzhou",
        "province_code": "320000",
        "province_zh": "江苏省",
        "province_en": "Jiangsu",
        "level": "prefecture",
        "latitude": "31.2990",
        "longitude": "120.5853",
        "population": "12748262",
        "population_year": "2020",
        "population_source": "census",
    }
    return ",".join({**cells, **changes}.values()) + "\n"


def stored() -> tuple:
    """The imported tables as they stand (other tests of the package may have loaded reference data)."""
    return (
        list(City.objects.order_by("code").values_list("code", "name_zh", "name_en", "population_source")),
        list(Province.objects.order_by("code").values_list("code", "name_zh", "name_en")),
        list(Agreement.objects.order_by("key").values_list("key", "title_zh", "title_en")),
    )


def refused(tmp_path: Path, command: str, text: str) -> str:
    path = tmp_path / "import.csv"
    path.write_text(text, encoding="utf-8")
    before = stored()
    with pytest.raises(CommandError) as raised:
        call_command(command, str(path))
    message = str(raised.value)
    assert "nothing was written" in message
    # All or nothing: not even the good rows were written.
    assert stored() == before
    return message


@pytest.mark.parametrize(
    ("column", "model", "field"),
    [
        ("name_en", City, "name_en"),
        ("name_zh", City, "name_zh"),
        ("province_en", Province, "name_en"),
        ("population_source", City, "population_source"),
    ],
)
def test_a_city_text_longer_than_its_field_names_the_line_and_column(tmp_path, column, model, field):
    long = "长" * (limit(model, field) + 1)
    good_first = city_row(code="321200", name_zh="泰州 (new)", name_en="Taizhou (new)")
    message = refused(tmp_path, "import_cities", CITY_HEADER + good_first + city_row(**{column: long}))
    expected = (
        f"line 3, column “{column}”: is {limit(model, field) + 1} characters long; at most {limit(model, field)} fit"
    )
    assert expected in message


def test_a_text_as_long_as_its_field_is_imported(tmp_path):
    path = tmp_path / "cities.csv"
    path.write_text(CITY_HEADER + city_row(name_en="S" * limit(City, "name_en")), encoding="utf-8")
    call_command("import_cities", str(path), verbosity=0)
    assert City.objects.get(code="320500").name_en == "S" * limit(City, "name_en")


@pytest.mark.parametrize("column", ["title_en", "title_zh", "key"])
def test_an_agreement_text_longer_than_its_field_names_the_line_and_column(tmp_path, reference_data, column):
    long = ("k" if column == "key" else "长") * (limit(Agreement, column) + 1)
    cells = {
        "key": "g60-test",
        "title_zh": "测试协议",
        "title_en": "Test agreement",
        "domain": "talent",
        "mode": "mutual_recognition",
        "status": "in_force",
        "parties": "310000:lead;330400",
        "region": "G60",
        "signed_on": "2020-01-01",
        "in_force_from": "2020-02-01",
        "expires_on": "2030-12-31",
        "service_items": "5",
        "evidence_url": "https://example.org/a",
        "source": "test source",
    }
    row = ",".join({**cells, column: long}.values()) + "\n"
    message = refused(tmp_path, "import_agreements", AGREEMENT_HEADER + row)
    assert f"line 2, column “{column}”: is {limit(Agreement, column) + 1} characters long" in message
