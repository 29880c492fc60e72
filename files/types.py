"""The seed's ``file_type`` enum, in a module of its own: the purposes (and
through them the address rules) need it, and the models need those rules."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FileType(models.TextChoices):
    """The seed's ``file_type`` enum."""

    IMAGE = "image", _("Image")
    DOCUMENT = "document", _("Document")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    OTHER = "other", _("Other")
