"""Forms of the examiner pages, one module per area."""
