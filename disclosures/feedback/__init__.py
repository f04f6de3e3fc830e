"""Consultations, complaints and suggestions (咨询、投诉、建议) with supervision (督办).

- models.py: Feedback and its event log (who did what, when);
- service.py: submitting (receipt numbers, deadlines in working days, duplicates), answering,
  transferring, escalating, publishing as 常见问题, and the public lookup;
- challenge.py: the signed, time-limited text arithmetic challenge (no JavaScript, no third party);
- forms.py, views.py, urls.py: the public forms /feedback/new/ and /feedback/lookup/;
- admin.py: the Wagtail admin viewset (per center and department, as the editorial roles);
- stats.py: counts per department and month for the bulletin's complaints figures.
"""
