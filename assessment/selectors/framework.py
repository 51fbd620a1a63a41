"""Reads of framework versions: the exchange document and the page tree."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from assessment.framework.document import FORMAT_NAME, FORMAT_VERSION, Document, plain_number
from assessment.models import Framework, FrameworkNode, Indicator, LevelDescriptor, StageRung
from cities.bilingual import in_english


def framework_versions(*, drafts: bool) -> QuerySet[Framework]:
    """Every version, newest first within a code; drafts only when asked for."""
    versions = Framework.objects.order_by("code", "-created_at")
    return versions if drafts else versions.readable()


@dataclass(frozen=True)
class ChangeLogEntry:
    """One line of a version's change log, in the reader's language."""

    item: str
    kind_label: str
    text: str


def framework_change_log(framework: Framework) -> list[ChangeLogEntry]:
    """The version's change log from the previous version (the framework document's change_log), for reading."""
    english = in_english()
    kinds = {"retired": _("retired"), "changed": _("changed")}
    # An entry names a code (an indicator, a stage), the method, or nothing when it concerns the whole version.
    items = {"method": _("method parameters"), "": _("framework-wide")}
    return [
        ChangeLogEntry(
            str(items.get(str(entry.get("item", "")), entry.get("item", ""))),
            str(kinds.get(entry.get("kind", ""), entry.get("kind", ""))),
            str(entry.get("en" if english else "zh") or entry.get("zh" if english else "en") or ""),
        )
        for entry in framework.change_log or []
        if isinstance(entry, dict)
    ]


def framework_stages(framework: Framework) -> QuerySet[StageRung]:
    """The version's stage ladder in order, with what each rung requires."""
    return framework.stages.prefetch_related("requires", "gates").order_by("order")


def framework_get(*, code: str, version: str) -> Framework:
    return Framework.objects.select_related("previous").get(code=code, version=version)


def framework_nodes(framework: Framework) -> list[FrameworkNode]:
    """Every node of the version, in tree pre-order, with indicator details loaded."""
    nodes = list(
        FrameworkNode.objects.filter(framework=framework)
        .select_related("parent", "indicator")
        .prefetch_related(
            Prefetch("indicator__levels", queryset=LevelDescriptor.objects.order_by("level")),
            Prefetch("indicator__continues", queryset=Indicator.objects.select_related("node")),
        )
        .order_by("order", "code")
    )
    children: dict[int | None, list[FrameworkNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    ordered: list[FrameworkNode] = []

    def visit(parent_id: int | None) -> None:
        for child in children.get(parent_id, []):
            ordered.append(child)
            visit(child.pk)

    visit(None)
    return ordered


def _indicator_or_none(node: FrameworkNode) -> Indicator | None:
    try:
        return node.indicator
    except Indicator.DoesNotExist:
        return None


def framework_document(framework: Framework) -> Document:
    """The version as the exchange document (assessment/framework/framework.schema.json)."""
    nodes = []
    for node in framework_nodes(framework):
        entry: dict[str, Any] = {
            "code": node.code,
            "parent": node.parent.code if node.parent else None,
            "kind": node.kind,
            "order": node.order,
            "weight": plain_number(node.weight),
            "name": {"zh": node.name_zh, "en": node.name_en},
            "description": {"zh": node.description_zh, "en": node.description_en},
        }
        indicator = _indicator_or_none(node)
        if indicator is not None:
            entry["indicator"] = {
                "type": indicator.type,
                "unit": {"zh": indicator.unit_zh, "en": indicator.unit_en},
                "direction": indicator.direction,
                "lower": plain_number(indicator.lower),
                "upper": plain_number(indicator.upper),
                "target": plain_number(indicator.target),
                "critical": indicator.critical,
                "evidence": {"zh": indicator.evidence_zh, "en": indicator.evidence_en},
                "evidence_required": indicator.evidence_required,
                "references": {
                    "gbt33356_2022": indicator.ref_gbt33356,
                    "u4ssc": indicator.ref_u4ssc,
                    "iso37122": indicator.ref_iso37122,
                },
                "levels": [
                    {
                        "level": level.level,
                        "zh": level.text_zh,
                        "en": level.text_en,
                        "action": {"zh": level.action_zh, "en": level.action_en},
                        # Written only when there is one, so a version without worked examples exports as before.
                        **(
                            {"example": {"zh": level.example_zh, "en": level.example_en}}
                            if level.example_zh or level.example_en
                            else {}
                        ),
                    }
                    for level in indicator.levels.all()
                ]
                or None,
                "continues": sorted(earlier.node.code for earlier in indicator.continues.all()),
                # The cross-walk entry, only in a version that has one (a first version exports as before).
                **(
                    {
                        "change": {
                            "kind": indicator.change_kind,
                            "zh": indicator.change_reason_zh,
                            "en": indicator.change_reason_en,
                        }
                    }
                    if indicator.change_kind
                    else {}
                ),
                "derived_from": indicator.derived_from,
                "lead_agency": indicator.lead_agency,
                "control": indicator.control,
                "action": {"zh": indicator.action_zh, "en": indicator.action_en},
            }
        nodes.append(entry)
    stages = [
        {
            "code": stage.code,
            "order": stage.order,
            "requires": sorted(node.code for node in stage.requires.all()),
            # Written only when there are some, so a version without gates exports as before.
            **({"gates": sorted(node.code for node in stage.gates.all())} if stage.gates.all() else {}),
            "name": {"zh": stage.name_zh, "en": stage.name_en},
            "description": {"zh": stage.description_zh, "en": stage.description_en},
        }
        for stage in StageRung.objects.filter(framework=framework)
        .prefetch_related("requires", "gates")
        .order_by("order")
    ]
    previous = framework.previous
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "code": framework.code,
        "version": framework.version,
        "status": framework.status,
        "previous": {"code": previous.code, "version": previous.version} if previous else None,
        "name": {"zh": framework.name_zh, "en": framework.name_en},
        "description": {"zh": framework.description_zh, "en": framework.description_en},
        "methodology": {"zh": framework.methodology_zh, "en": framework.methodology_en},
        "method": framework.method,
        **({"consistency_rules": framework.consistency_rules} if framework.consistency_rules else {}),
        **({"change_log": framework.change_log} if framework.change_log else {}),
        "normalisation": framework.normalisation,
        "aggregation": framework.aggregation,
        "stage_threshold": plain_number(framework.stage_threshold),
        "critical_floor": plain_number(framework.critical_floor),
        "stages": stages,
        "nodes": nodes,
    }


@dataclass(frozen=True)
class TreeRow:
    """One row of the framework page: a node, its depth and its weight in the index."""

    node: FrameworkNode
    depth: int
    relative_weight: float
    effective_weight: float
    indicator: Indicator | None


def framework_tree_rows(framework: Framework) -> list[TreeRow]:
    """The tree with sibling-relative and effective (share of the index) weights."""
    nodes = framework_nodes(framework)
    sibling_total: dict[int | None, Decimal] = {}
    for node in nodes:
        sibling_total[node.parent_id] = sibling_total.get(node.parent_id, Decimal(0)) + node.weight
    depth: dict[int, int] = {}
    effective: dict[int, float] = {}
    rows = []
    for node in nodes:
        relative = float(node.weight / sibling_total[node.parent_id])
        depth[node.pk] = 0 if node.parent_id is None else depth[node.parent_id] + 1
        effective[node.pk] = relative * (1.0 if node.parent_id is None else effective[node.parent_id])
        rows.append(TreeRow(node, depth[node.pk], relative, effective[node.pk], _indicator_or_none(node)))
    return rows
