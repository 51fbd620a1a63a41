# The reference for the ASEM full pipeline, computed by COINr itself.
# Usage: Rscript make_reference.R <folder with ASEM_iData.csv and ASEM_iMeta.csv> <output folder>
# Needs COINr installed (see README.md in this folder for how it was installed here).
suppressPackageStartupMessages(library(COINr))
args <- commandArgs(trailingOnly = TRUE)
iData <- read.csv(file.path(args[1], "ASEM_iData.csv"), check.names = FALSE, stringsAsFactors = FALSE, na.strings = c("", "NA"))
iMeta <- read.csv(file.path(args[1], "ASEM_iMeta.csv"), check.names = FALSE, stringsAsFactors = FALSE, na.strings = c("", "NA"))
coin <- new_coin(iData, iMeta, quietly = TRUE)
coin <- Denominate(coin, dset = "Raw")
coin <- Impute(coin, dset = "Denominated", f_i = "i_mean_grp", use_group = "EurAsia_group")
coin <- Treat(coin, dset = "Imputed")
coin <- Normalise(coin, dset = "Treated", global_specs = list(f_n = "n_minmax", f_n_para = list(l_u = c(0, 100))))
coin <- Aggregate(coin, dset = "Normalised", f_ag = "a_amean")
write.csv(get_dset(coin, "Treated"), file.path(args[2], "asem_pipeline_Treated.csv"), row.names = FALSE)
write.csv(get_dset(coin, "Aggregated"), file.path(args[2], "asem_pipeline_Aggregated.csv"), row.names = FALSE)
write.csv(coin$Analysis$Treated$Dets_Table, file.path(args[2], "asem_pipeline_treatment.csv"), row.names = FALSE)
cat("COINr", as.character(packageVersion("COINr")), "on", R.version.string, "\n")
