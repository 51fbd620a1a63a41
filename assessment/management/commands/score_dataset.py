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
    coinr_flags_table,
    coinr_results_table,
    read_idata,
    read_imeta,
    read_weights,
    score,
    tree_from_imeta,
)
from assessment.scoring.method import DEFAULT_METHOD
from assessment.scoring.treat import Treatment


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
            "--denominate",
            action="store_true",
            help=_("Divide each indicator by the iData column iMeta's Denominator names (COINr's Denominate)."),
        )
        parser.add_argument(
            "--impute",
            help=_(
                "group_mean:COLUMN fills a missing value with the mean of the units sharing its value of "
                "COLUMN (an iData column); regression predicts it from the indicators every unit has; "
                "previous-period imputation needs the app's history."
            ),
        )
        parser.add_argument(
            "--treat",
            help=_(
                "Outlier treatment after imputation: coinr (COINr's Treat() defaults: winsorise up to 5 points, "
                "then log_CT) or winsorise:N."
            ),
        )
        parser.add_argument("--skew", type=float, help=_("Skewness threshold of the outlier check (default 2)."))
        parser.add_argument("--kurt", type=float, help=_("Kurtosis threshold of the outlier check (default 3.5)."))
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
            imeta = read_imeta(meta_path)
            tree = tree_from_imeta(imeta)
        except ScoringInputError as error:
            raise error.with_source(str(meta_path)) from None
        try:
            raw, others = read_idata(data_path, tree)
        except ScoringInputError as error:
            raise error.with_source(str(data_path)) from None
        imputation: tuple[str, ...] = ()
        groups = None
        if options["impute"]:
            method, _sep, column = options["impute"].partition(":")
            if method == "regression" and not column:
                imputation = ("regression",)
            elif method != "group_mean" or not column:
                raise CommandError(_("--impute: use group_mean:COLUMN (COLUMN a column of the iData) or regression."))
            elif column not in others.columns:
                raise CommandError(
                    _("--impute: %(column)s is not a column of %(path)s.") % {"column": column, "path": data_path}
                )
            else:
                imputation, groups = ("group_mean",), others[column]
        treatment = None
        if options["treat"]:
            try:
                treatment = Treatment.parse(options["treat"], options["skew"], options["kurt"])
            except ScoringInputError:
                raise CommandError(_("--treat: use coinr or winsorise:N, N a whole number above 0.")) from None
        elif options["skew"] is not None or options["kurt"] is not None:
            raise CommandError(_("--skew and --kurt set the thresholds of --treat; give --treat too."))
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
            imputation=imputation,
            denominate=options["denominate"],
            treatment=treatment,
            weights=weights,
            monte_carlo=monte_carlo,
        )
        try:
            result = score(tree, raw, scoring_options, groups=groups, denominators=others)
        except ScoringInputError as error:
            raise error.with_source(str(data_path)) from None
        for warning in result.warnings:
            self.stderr.write(_("Warning: %(warning)s") % {"warning": warning})
        table = coinr_results_table(result)
        try:
            table.to_csv(out_path, index=False)
        except OSError as error:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": out_path, "error": error}) from None
        if options["denominate"] or imputation or treatment is not None:
            # No denominated, imputed or treated value may pass for a measured one: say which are which.
            flags_path = out_path.with_name(f"{out_path.stem}_flags.csv")
            try:
                coinr_flags_table(result).to_csv(flags_path, index=False)
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(path)s: %(error)s") % {"path": flags_path, "error": error}
                ) from None
        if options["verbosity"] > 0:
            self.stdout.write(
                _("Scored %(units)d units on %(indicators)d indicators; wrote %(path)s")
                % {"units": len(table), "indicators": len(tree.indicators), "path": out_path}
            )
