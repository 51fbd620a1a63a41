"""The dashboards: a region's published results as frames, figures, panels and downloads.

`frames` (pure pandas tables), `what_if` (re-weighted scenarios), `filters`
(what the reader asked for), `labels` (names and numbers as shown), `panels`
(figure + table + caption), `headline` (where a city stands, for its page and
its report), `figures` (Plotly dicts) and `downloads` (a panel as CSV or XLSX).
"""
