"""Write services for question banks: plain functions `verb_noun(...)` that own their transaction."""
