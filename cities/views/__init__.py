"""The cities app's pages: reference data, agreements, the region network."""
