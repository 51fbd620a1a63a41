# A reference for COINr's full pipeline, computed by COINr itself.
# Usage: Rscript make_reference.R <ASEM_iMeta.csv> <iData.csv> <output prefix>
#   asem_pipeline: ASEM's own iData; heavy_tail: heavy_tail_iData.csv (reaches Treat()'s log_CT branch).
# Needs COINr installed (README.md in this folder says how it was installed here).
suppressPackageStartupMessages(library(COINr))
args <- commandArgs(trailingOnly = TRUE)
read <- function(path) read.csv(path, check.names = FALSE, stringsAsFactors = FALSE, na.strings = c("", "NA"))
coin <- new_coin(read(args[2]), read(args[1]), quietly = TRUE)
coin <- Denominate(coin, dset = "Raw")
coin <- Impute(coin, dset = "Denominated", f_i = "i_mean_grp", use_group = "EurAsia_group")
coin <- Treat(coin, dset = "Imputed")
coin <- Normalise(coin, dset = "Treated", global_specs = list(f_n = "n_minmax", f_n_para = list(l_u = c(0, 100))))
coin <- Aggregate(coin, dset = "Normalised", f_ag = "a_amean")
write.csv(get_dset(coin, "Treated"), paste0(args[3], "_Treated.csv"), row.names = FALSE)
write.csv(get_dset(coin, "Aggregated"), paste0(args[3], "_Aggregated.csv"), row.names = FALSE)
write.csv(coin$Analysis$Treated$Dets_Table, paste0(args[3], "_treatment.csv"), row.names = FALSE)
cat("COINr", as.character(packageVersion("COINr")), "on", R.version.string, "\n")
