"""Examiner pages, one module per area: banks.py, items.py, review.py, transfer.py (import/export),
papers.py. Every view loads objects through question_bank.access."""
