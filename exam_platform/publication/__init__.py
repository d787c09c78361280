"""Publication: rank lists frozen, signed and proven.

Scoring computes; publication freezes and proves. The scoring app may rerun a round at any time
(key corrections, essays marked late), and its Result rows change with it. A published rank list
must not: once two officers have agreed on it, it is a numbered, immutable version whose rows are
copied into a canonical JSON payload, digested (SHA-256), signed with the platform's Ed25519 key and
rendered into files (PDF, CSV, Excel, HTML) whose digests are recorded. Anyone can later check a
file or a score slip against what was published, and a correction is a new version with a visible
diff, never an overwrite. Keeping this apart from scoring keeps the mutable and the frozen worlds
apart: nothing in scoring can reach back and change what was announced.
"""
