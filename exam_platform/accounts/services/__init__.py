"""Write services for accounts: plain functions `verb_noun(...)` that own their transaction."""
