"""Demo data for a laptop (`make demo`): accounts for every role, the sample bank, a demo exam."""
