"""Writes of framework versions: import, publish, clone, retire.

Every write goes through ``framework_problems`` first, so a file import, a
clone and a publish refuse the same mistakes, and nothing is half-written.
"""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.framework.document import (
    Document,
    FrameworkDocumentError,
    document_problem,
    framework_problems,
)
from assessment.models import Framework, FrameworkNode, Indicator, LevelDescriptor, StageRung
from assessment.scoring.errors import Problem
from assessment.selectors.framework import framework_document


def _previous_version(document: Document) -> Framework | None:
    reference = document["previous"]
    return Framework.objects.filter(code=reference["code"], version=reference["version"]).first()


def framework_import(*, document: Document, code: str | None = None, version: str | None = None) -> Framework:
    """Create a draft version from an exchange document, or refuse with every problem."""
    document = {**document}
    if code:
        document["code"] = code
    if version:
        document["version"] = version
    problems: list[Problem] = []
    previous: Framework | None = None
    previous_codes: set[str] | None = None
    reference = document.get("previous")
    if isinstance(reference, dict) and {"code", "version"} <= reference.keys():
        previous = _previous_version(document)
        if previous is None:
            problems.append(
                document_problem(
                    "previous",
                    _("the previous version %(code)s %(version)s does not exist here") % reference,
                )
            )
            previous_codes = set()
        else:
            previous_codes = set(
                Indicator.objects.filter(node__framework=previous).values_list("node__code", flat=True)
            )
    problems.extend(framework_problems(document, previous_codes=previous_codes))
    if not problems and Framework.objects.filter(code=document["code"], version=document["version"]).exists():
        problems.append(
            document_problem(
                "version",
                _("%(code)s %(version)s already exists; import it under another code or version")
                % {"code": document["code"], "version": document["version"]},
            )
        )
    if problems:
        raise FrameworkDocumentError(problems)
    with transaction.atomic():
        return _framework_write(document, previous=previous)


def _framework_write(document: Document, *, previous: Framework | None) -> Framework:
    framework = Framework.objects.create(
        code=document["code"],
        version=document["version"],
        status=Framework.Status.DRAFT,
        name_zh=document["name"]["zh"],
        name_en=document["name"]["en"],
        description_zh=document["description"]["zh"],
        description_en=document["description"]["en"],
        methodology_zh=document["methodology"]["zh"],
        methodology_en=document["methodology"]["en"],
        method=document.get("method") or {},
        consistency_rules=document.get("consistency_rules") or [],
        change_log=document.get("change_log") or [],
        normalisation=document["normalisation"],
        aggregation=document["aggregation"],
        stage_threshold=Decimal(str(document["stage_threshold"])),
        critical_floor=Decimal(str(document["critical_floor"])),
        previous=previous,
    )
    nodes: dict[str, FrameworkNode] = {}
    pending = list(document["nodes"])
    # Parents first: a document may list nodes in any order.
    while pending:
        ready = [entry for entry in pending if entry["parent"] is None or entry["parent"] in nodes]
        if not ready:  # unreachable after validation; never loop forever on a cycle
            raise FrameworkDocumentError([document_problem(entry["code"], _("unreachable node")) for entry in pending])
        for entry in ready:
            nodes[entry["code"]] = _node_write(framework, entry, nodes, previous)
        pending = [entry for entry in pending if entry["code"] not in nodes]
    for entry in document["stages"]:
        stage = StageRung.objects.create(
            framework=framework,
            code=entry["code"],
            order=entry["order"],
            name_zh=entry["name"]["zh"],
            name_en=entry["name"]["en"],
            description_zh=entry["description"]["zh"],
            description_en=entry["description"]["en"],
        )
        stage.requires.set([nodes[code] for code in entry["requires"]])
        stage.gates.set([nodes[code] for code in entry.get("gates") or []])
    return framework


def _node_write(
    framework: Framework, entry: dict[str, Any], nodes: dict[str, FrameworkNode], previous: Framework | None
) -> FrameworkNode:
    node = FrameworkNode.objects.create(
        framework=framework,
        parent=nodes[entry["parent"]] if entry["parent"] else None,
        code=entry["code"],
        kind=entry["kind"],
        order=entry["order"],
        weight=Decimal(str(entry["weight"])),
        name_zh=entry["name"]["zh"],
        name_en=entry["name"]["en"],
        description_zh=entry["description"]["zh"],
        description_en=entry["description"]["en"],
    )
    details = entry.get("indicator")
    if details:
        references = details.get("references") or {}
        indicator = Indicator.objects.create(
            node=node,
            type=details["type"],
            unit_zh=details["unit"]["zh"],
            unit_en=details["unit"]["en"],
            direction=details["direction"],
            lower=details.get("lower"),
            upper=details.get("upper"),
            target=details.get("target"),
            critical=details["critical"],
            evidence_zh=details["evidence"]["zh"],
            evidence_en=details["evidence"]["en"],
            evidence_required=details["evidence_required"],
            ref_gbt33356=references.get("gbt33356_2022", ""),
            ref_u4ssc=references.get("u4ssc", ""),
            ref_iso37122=references.get("iso37122", ""),
            derived_from=details.get("derived_from"),
            lead_agency=details.get("lead_agency", ""),
            control=details.get("control", Indicator.Control.CITY),
            action_zh=(details.get("action") or {}).get("zh", ""),
            action_en=(details.get("action") or {}).get("en", ""),
            change_kind=(details.get("change") or {}).get("kind", ""),
            change_reason_zh=(details.get("change") or {}).get("zh", ""),
            change_reason_en=(details.get("change") or {}).get("en", ""),
        )
        LevelDescriptor.objects.bulk_create(
            LevelDescriptor(
                indicator=indicator,
                level=level["level"],
                text_zh=level["zh"],
                text_en=level["en"],
                action_zh=(level.get("action") or {}).get("zh", ""),
                action_en=(level.get("action") or {}).get("en", ""),
                example_zh=(level.get("example") or {}).get("zh", ""),
                example_en=(level.get("example") or {}).get("en", ""),
            )
            for level in details.get("levels") or []
        )
        if details.get("continues") and previous is not None:
            indicator.continues.set(
                Indicator.objects.filter(node__framework=previous, node__code__in=details["continues"])
            )
    return node


def framework_publish(*, framework: Framework) -> Framework:
    """Check every invariant again on what is stored, then freeze the version."""
    if framework.status != Framework.Status.DRAFT:
        raise FrameworkDocumentError(
            [document_problem(f"{framework.code} {framework.version}", _("only a draft can be published"))]
        )
    document = framework_document(framework)
    previous_codes = None
    if framework.previous is not None:
        previous_codes = set(
            Indicator.objects.filter(node__framework=framework.previous).values_list("node__code", flat=True)
        )
    problems = framework_problems(document, previous_codes=previous_codes)
    if not document["stages"]:
        problems.append(document_problem(_("stages"), _("a published version needs its stage ladder")))
    if problems:
        raise FrameworkDocumentError(problems)
    with transaction.atomic():
        framework.status = Framework.Status.PUBLISHED
        framework.published_at = timezone.now()
        framework.save()
    return framework


def framework_clone_as_draft(*, framework: Framework, version: str) -> Framework:
    """Start the next version: a draft copy whose indicators continue this version's."""
    document = framework_document(framework)
    document["version"] = version
    document["status"] = "draft"
    document["previous"] = {"code": framework.code, "version": framework.version}
    for node in document["nodes"]:
        if node.get("indicator"):
            node["indicator"]["continues"] = [node["code"]]
    return framework_import(document=document)


def framework_retire(*, framework: Framework) -> Framework:
    if framework.status != Framework.Status.PUBLISHED:
        raise FrameworkDocumentError(
            [document_problem(f"{framework.code} {framework.version}", _("only a published version can be retired"))]
        )
    framework.status = Framework.Status.RETIRED
    framework.save()
    return framework
