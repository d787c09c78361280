"""The storage for confidential files (bank images, personal documents, import uploads).

settings.STORAGES["private"] is looked up lazily and again after the setting changes (tests),
unlike a storage callable, which Django evaluates once when the model class is built. Models use
`storage=<module>.private_storage` (a callable, so migrations don't serialise a storage object).
"""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateStorage(LazyObject):
    def _setup(self):
        from django.core.files.storage import storages

        self._wrapped = storages["private"]


private_files = PrivateStorage()


@receiver(setting_changed)
def _reset_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        private_files._wrapped = empty


def private_storage():
    return private_files
