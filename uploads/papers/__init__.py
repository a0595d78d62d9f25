"""The papers a personal-data operator under 152-FZ must be able to show, made by the portal.

- ``operator``: the shop as operator (who it is), and the rule that no link goes out before that is
  known;
- ``acts``: destruction acts with their log extract (Roskomnadzor order No. 179), built only from the
  append-only destruction records and audit events, as PDF (ReportLab) and XLSX (openpyxl);
- ``incidents``: the incident register's deadlines (art. 21 part 3.1) and the notice's text;
- ``transfers``: where staff work from, a shop's refusal of staff abroad, the transfer register
  (written with the audit events, ``uploads.audit.services``);
- ``own_copy``: what the seller holds about a customer, for the customer (art. 14);
- ``services``: the writes: an act downloaded (audited), an incident recorded or followed up, the
  customer's own copy handed out (audited).

A lawyer should confirm the details: these papers follow the public texts of the law and order.
"""
