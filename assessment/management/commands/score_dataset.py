"""Score a COINr-format data set from the command line, with no database.

    python manage.py score_dataset --meta iMeta.csv --data iData.csv --out results.csv

A thin adapter: it reads the files with `assessment.scoring.coinr`, runs
`assessment.scoring.score` and writes COINr's results layout.  Any input
problem becomes a `CommandError` naming the row and column, never a traceback.
"""

from __future__ import annotations

import secrets
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.scoring import (
    MonteCarloOptions,
    Normalisation,
    ScoringInputError,
    ScoringOptions,
    coinr_results_table,
    read_idata,
    read_imeta,
    read_weights,
    score,
    tree_from_imeta,
)
from assessment.scoring.method import DEFAULT_METHOD


class Command(BaseCommand):
    help = gettext_lazy(
        "Score a data set in COINr's iMeta/iData format and write one row per unit: "
        "normalised indicators, aggregates and ranks."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--meta", required=True, type=Path, help=_("iMeta CSV: the framework."))
        parser.add_argument("--data", required=True, type=Path, help=_("iData CSV: one row per unit."))
        parser.add_argument("--out", required=True, type=Path, help=_("Where to write the results CSV."))
        parser.add_argument(
            "--normalise",
            default="minmax:0,100",
            help=_(
                "minmax:A,B | zscore | goalposts | distance_to_target | rank | percentile | none "
                "(default minmax:0,100, COINr's default)."
            ),
        )
        parser.add_argument(
            "--aggregate",
            default="arithmetic",
            help=_(
                "arithmetic | geometric | harmonic, or a comma list with one method per "
                "aggregate level from the lowest up."
            ),
        )
        parser.add_argument(
            "--weights",
            type=Path,
            help=_("CSV with columns iCode,Weight replacing the iMeta weights."),
        )
        parser.add_argument("--mc", type=int, default=0, help=_("Monte Carlo runs (0: none)."))
        parser.add_argument(
            "--perturb",
            type=float,
            default=DEFAULT_METHOD.weight_perturbation,
            help=_("Uniform weight perturbation, e.g. 0.25 for +-25%%."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            help=_("Random seed for the Monte Carlo (default: a fresh one, printed)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._score(options)
        except ScoringInputError as error:
            raise CommandError(_("Cannot score the data set: %(problems)s") % {"problems": error}) from None

    def _score(self, options: dict[str, Any]) -> None:
        meta_path: Path = options["meta"]
        data_path: Path = options["data"]
        out_path: Path = options["out"]
        try:
            tree = tree_from_imeta(read_imeta(meta_path))
        except ScoringInputError as error:
            raise error.with_source(str(meta_path)) from None
        try:
            raw, _others = read_idata(data_path, tree)
        except ScoringInputError as error:
            raise error.with_source(str(data_path)) from None
        weights = None
        if options["weights"] is not None:
            try:
                weights = read_weights(options["weights"], tree)
            except ScoringInputError as error:
                raise error.with_source(str(options["weights"])) from None

        monte_carlo = None
        if options["mc"] < 0:
            raise CommandError(_("--mc must be 0 or a positive number of runs."))
        if options["mc"] > 0:
            seed = options["seed"] if options["seed"] is not None else secrets.randbelow(2**31)
            if options["seed"] is None:
                self.stderr.write(_("Monte Carlo seed: %(seed)d") % {"seed": seed})
            monte_carlo = MonteCarloOptions(runs=options["mc"], perturbation=options["perturb"], seed=seed)

        scoring_options = ScoringOptions(
            normalisation=Normalisation.parse(options["normalise"]),
            aggregation=options["aggregate"],
            weights=weights,
            monte_carlo=monte_carlo,
        )
        result = score(tree, raw, scoring_options)
        for warning in result.warnings:
            self.stderr.write(_("Warning: %(warning)s") % {"warning": warning})
        table = coinr_results_table(result)
        try:
            table.to_csv(out_path, index=False)
        except OSError as error:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": out_path, "error": error}) from None
        if options["verbosity"] > 0:
            self.stdout.write(
                _("Scored %(units)d units on %(indicators)d indicators; wrote %(path)s")
                % {"units": len(table), "indicators": len(tree.indicators), "path": out_path}
            )
