"""The applicant's side of a case (办件): progress lookup (办件查询) and rating (好差评).

Both are keyed by the case number and the last four digits of the applicant's phone (stored
alone on the case, never the full number); both are rate-limited like the feedback lookup.
"""
