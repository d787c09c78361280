"""All writes of the delivery app: plain functions `verb_noun(obj, *, ...)` that own the transaction,
the audit entry and any after-commit effects (DESIGN §2). Views and consumers call these, never save()."""
