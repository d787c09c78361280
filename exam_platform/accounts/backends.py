from django.contrib.auth.backends import ModelBackend

from exam_platform.common.national_id import normalise


class NationalIdOrUsernameBackend(ModelBackend):
    """Candidates type their national ID in any common form (1-2345-67890-12-3, Thai digits);
    their username is the 13 bare digits. Staff log in with their username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username:
            digits = normalise(username)
            if len(digits) == 13 and digits.isdigit():
                username = digits
        return super().authenticate(request, username=username, password=password, **kwargs)
