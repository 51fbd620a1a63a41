"""PDF reports: a city report and a regional report, in Chinese or English.

- `fetcher`: the only way the renderer reaches anything (static files, data: URIs);
- `figures`: the dashboards' Plotly figures as vector SVG;
- `content`: what each report says, gathered from the selectors;
- `render`: HTML to PDF with WeasyPrint.
"""
