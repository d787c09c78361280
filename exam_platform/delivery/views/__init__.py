"""Views of the delivery app, one module per audience: officer.py (exam officers, proctors' room page),
checkin.py (the candidate's page and check-in)."""
