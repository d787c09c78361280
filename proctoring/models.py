# Presence, proctor events, incidents and commands arrive with the live-delivery work (issue 4).
