class EligibilityError(Exception):
    """A refused eligibility action; `message` is Thai + English, for the user."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
