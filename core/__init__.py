"""The ground floor: what every app uses, with no models and no import of a project app.

Table reading and cell parsing (`core.tabular`), spreadsheet-safe writing (`core.spreadsheets`),
rate limiting (`core.ratelimit`), upload checks (`core.uploads`), planner statistics
(`core.dbstats`), the home-panel and schedule registries (`core.panels`, `core.schedules`), and the
site's time zone (`core.timezones`). tests/test_architecture.py
checks that nothing here imports `portal`, `guides`, `disclosures` or `search`.
"""
