"""Reusable form fields and widgets (Thai first): `thai_datetime` (Buddhist-era date-time input)."""
