"""Display preferences every page needs: Thai numerals and the accessibility body classes.

Both come from the session, so any view can switch them for the rest of a visit:

    request.session["thai_numerals"] = True        # {{ value|thai_digits:thai_numerals }} turns ๑๒๓ on
    request.session["ui_accommodations"] = ["large_text", "high_contrast"]

`ui_accommodations` uses the keys of Candidate.accommodation_needs; whoever logs a candidate in can
copy the true ones into the session. base.html puts the classes on <body>; base.css styles them.
"""

UI_ACCOMMODATION_CLASSES = {"large_text": "large-text", "high_contrast": "high-contrast"}


def ui_preferences(request):
    session = getattr(request, "session", None)
    if session is None:
        return {"thai_numerals": False, "ui_body_classes": ""}
    accommodations = session.get("ui_accommodations") or ()
    classes = [css for key, css in UI_ACCOMMODATION_CLASSES.items() if key in accommodations]
    return {"thai_numerals": bool(session.get("thai_numerals")), "ui_body_classes": " ".join(classes)}
