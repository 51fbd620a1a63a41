# Second reference: the ASEM data with Flights replaced by a heavy tail (heavy_tail_iData.csv), which
# five winsorised points cannot fix, so COINr's Treat() takes its log_CT branch.
# Usage: Rscript make_heavy_tail.R <folder with ASEM_iMeta.csv> <this folder>
suppressPackageStartupMessages(library(COINr))
args <- commandArgs(trailingOnly = TRUE)
iData <- read.csv(file.path(args[2], "heavy_tail_iData.csv"), check.names = FALSE, stringsAsFactors = FALSE, na.strings = c("", "NA"))
iMeta <- read.csv(file.path(args[1], "ASEM_iMeta.csv"), check.names = FALSE, stringsAsFactors = FALSE, na.strings = c("", "NA"))
coin <- new_coin(iData, iMeta, quietly = TRUE)
coin <- Denominate(coin, dset = "Raw")
coin <- Impute(coin, dset = "Denominated", f_i = "i_mean_grp", use_group = "EurAsia_group")
coin <- Treat(coin, dset = "Imputed")
coin <- Normalise(coin, dset = "Treated", global_specs = list(f_n = "n_minmax", f_n_para = list(l_u = c(0, 100))))
coin <- Aggregate(coin, dset = "Normalised", f_ag = "a_amean")
write.csv(get_dset(coin, "Treated"), file.path(args[2], "heavy_tail_Treated.csv"), row.names = FALSE)
write.csv(get_dset(coin, "Aggregated"), file.path(args[2], "heavy_tail_Aggregated.csv"), row.names = FALSE)
write.csv(coin$Analysis$Treated$Dets_Table, file.path(args[2], "heavy_tail_treatment.csv"), row.names = FALSE)
