"""Reading and checking an agreements CSV file before anything is written.

The writer, ``cities.services.agreements_import``, writes every row or none.

Columns: key, title_zh, title_en, domain, mode, status, parties, region,
signed_on, in_force_from, expires_on, service_items, evidence_url, source;
optional: evidence_note, is_demo (true/false), source_en and evidence_note_en (the English of
source and evidence_note, which are written in Chinese first).

``parties`` lists two or more division codes separated by ``;``; a code may
carry a role after a colon (``310000:lead``), otherwise the city is a member.
Rows are matched to stored agreements by ``key``: importing the same file
again changes nothing.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.utils.translation import gettext as _

from assessment.scoring.errors import Problem
from cities.models import Agreement, AgreementParty, City, Region
from cities.reference_import import check_lengths, read_csv_rows, row_problem

AGREEMENT_COLUMNS = (
    "key",
    "title_zh",
    "title_en",
    "domain",
    "mode",
    "status",
    "parties",
    "region",
    "signed_on",
    "in_force_from",
    "expires_on",
    "service_items",
    "evidence_url",
    "source",
)
AGREEMENT_OPTIONAL_COLUMNS = ("evidence_note", "is_demo", "source_en", "evidence_note_en")
# The model field each free-text column is stored in.
AGREEMENT_TEXT_FIELDS = {column: (Agreement, column) for column in ("key", "title_zh", "title_en", "evidence_url")}
TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0", ""}


@dataclass(frozen=True)
class AgreementRow:
    line: int
    key: str
    title_zh: str
    title_en: str
    domain: str
    mode: str
    status: str
    parties: tuple[tuple[str, str], ...]
    region: str | None
    signed_on: dt.date | None
    in_force_from: dt.date | None
    expires_on: dt.date | None
    service_items: int | None
    evidence_url: str
    evidence_note: str
    source: str
    is_demo: bool
    # None when the file has no such column: the English stored earlier is then kept, not blanked.
    evidence_note_en: str | None = None
    source_en: str | None = None

    def values(self) -> dict[str, object]:
        """Field values for the Agreement model, parties and key aside."""
        return {
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "domain": self.domain,
            "mode": self.mode,
            "status": self.status,
            "region_id": self.region,
            "signed_on": self.signed_on,
            "in_force_from": self.in_force_from,
            "expires_on": self.expires_on,
            "service_items": self.service_items,
            "evidence_url": self.evidence_url,
            "evidence_note": self.evidence_note,
            "source": self.source,
            "is_demo": self.is_demo,
            **{
                name: text
                for name, text in (("evidence_note_en", self.evidence_note_en), ("source_en", self.source_en))
                if text is not None
            },
        }


def _choice(cells: dict[str, str], column: str, choices: list[str], line: int, problems: list[Problem]) -> str:
    value = cells[column]
    if value not in choices:
        problems.append(
            row_problem(
                line,
                column,
                _("“%(value)s” is not one of %(choices)s") % {"value": value, "choices": ", ".join(choices)},
            )
        )
    return value


def _date(cells: dict[str, str], column: str, line: int, problems: list[Problem]) -> dt.date | None:
    text = cells[column]
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(row_problem(line, column, _("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": text}))
        return None


def _parties(text: str, line: int, known_cities: set[str], problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    roles = set(AgreementParty.Role.values)
    parties: dict[str, str] = {}
    for item in (part.strip() for part in text.split(";")):
        if not item:
            continue
        code, _sep, role = item.partition(":")
        code, role = code.strip(), (role.strip() or AgreementParty.Role.MEMBER)
        if role not in roles:
            problems.append(
                row_problem(
                    line,
                    "parties",
                    _("“%(value)s” is not one of %(choices)s") % {"value": role, "choices": ", ".join(sorted(roles))},
                )
            )
        if code not in known_cities:
            problems.append(row_problem(line, "parties", _("unknown city %(code)s") % {"code": code}))
        if code in parties:
            problems.append(row_problem(line, "parties", _("city %(code)s is listed twice") % {"code": code}))
        parties[code] = role
    if len(parties) < 2:
        problems.append(row_problem(line, "parties", _("an agreement needs at least two cities, separated by “;”")))
    return tuple(sorted(parties.items()))


def read_agreements(path: Path) -> tuple[list[AgreementRow], list[Problem]]:
    """Parse and check every row against the stored cities and regions; write nothing."""
    records, problems = read_csv_rows(path, AGREEMENT_COLUMNS)
    known_cities = set(City.objects.values_list("code", flat=True))
    known_regions = set(Region.objects.values_list("code", flat=True))
    check_url = URLValidator(schemes=["http", "https"])
    rows: list[AgreementRow] = []
    seen: dict[str, int] = {}
    for line, cells in records:
        before = len(problems)
        for column in ("key", "title_zh", "title_en", "parties"):
            if not cells[column]:
                problems.append(row_problem(line, column, _("is empty")))
        check_lengths(cells, AGREEMENT_TEXT_FIELDS, line, problems)
        key = cells["key"]
        if key:
            try:
                validate_slug(key)
            except ValidationError:
                problems.append(
                    row_problem(
                        line,
                        "key",
                        _("“%(value)s” may hold only letters, digits, “-” and “_”") % {"value": key},
                    )
                )
            if key in seen:
                problems.append(
                    row_problem(
                        line,
                        "key",
                        _("%(code)s already appears on line %(first)d") % {"code": key, "first": seen[key]},
                    )
                )
            seen.setdefault(key, line)
        domain = _choice(cells, "domain", Agreement.Domain.values, line, problems)
        mode = _choice(cells, "mode", Agreement.Mode.values, line, problems)
        status = _choice(cells, "status", Agreement.Status.values, line, problems)
        parties = _parties(cells["parties"], line, known_cities, problems) if cells["parties"] else ()
        region = cells["region"] or None
        if region is not None and region not in known_regions:
            problems.append(row_problem(line, "region", _("unknown region %(code)s") % {"code": region}))
        signed_on = _date(cells, "signed_on", line, problems)
        in_force_from = _date(cells, "in_force_from", line, problems)
        expires_on = _date(cells, "expires_on", line, problems)
        if in_force_from and expires_on and in_force_from > expires_on:
            problems.append(
                row_problem(
                    line,
                    "expires_on",
                    _("%(end)s is before the date in force from, %(start)s")
                    % {"end": expires_on, "start": in_force_from},
                )
            )
        service_items = None
        if cells["service_items"]:
            if not cells["service_items"].isdigit():
                problems.append(
                    row_problem(
                        line,
                        "service_items",
                        _("“%(value)s” is not a whole number") % {"value": cells["service_items"]},
                    )
                )
            else:
                service_items = int(cells["service_items"])
        if cells["evidence_url"]:
            try:
                check_url(cells["evidence_url"])
            except ValidationError:
                problems.append(
                    row_problem(
                        line,
                        "evidence_url",
                        _("“%(value)s” is not a web address (http or https)") % {"value": cells["evidence_url"]},
                    )
                )
        demo_text = cells.get("is_demo", "").lower()
        if demo_text not in TRUE_WORDS | FALSE_WORDS:
            problems.append(
                row_problem(
                    line,
                    "is_demo",
                    _("“%(value)s” is not true or false") % {"value": cells["is_demo"]},
                )
            )
        if len(problems) == before:
            rows.append(
                AgreementRow(
                    line=line,
                    key=key,
                    title_zh=cells["title_zh"],
                    title_en=cells["title_en"],
                    domain=domain,
                    mode=mode,
                    status=status,
                    parties=parties,
                    region=region,
                    signed_on=signed_on,
                    in_force_from=in_force_from,
                    expires_on=expires_on,
                    service_items=service_items,
                    evidence_url=cells["evidence_url"],
                    evidence_note=cells.get("evidence_note", ""),
                    source=cells["source"],
                    is_demo=demo_text in TRUE_WORDS,
                    evidence_note_en=cells.get("evidence_note_en"),
                    source_en=cells.get("source_en"),
                )
            )
    return rows, problems
