"""Hints for a customer whose photo could not be read: what is wrong with it, in their language."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from uploads.documents.photo_quality import PhotoProblem
from uploads.models import PassportDocument


@dataclass(frozen=True)
class PhotoHint:
    problem: PhotoProblem
    text: Promise
    picture: str  # a static SVG under uploads/guide/

    @property
    def picture_path(self) -> str:
        return f"uploads/guide/{self.picture}.svg"


HINTS = {
    PhotoProblem.TOO_DARK: _(
        "The photo is too dark. Turn on the light or move closer to a window, then take it again."
    ),
    PhotoProblem.BLURRED: _(
        "The photo is blurred. Hold the phone still and tap the page on the screen to focus, "
        "then take it again."
    ),
    PhotoProblem.GLARE: _(
        "There is glare on the page. Turn off the flash, or tilt the passport a little away from "
        "the light."
    ),
    PhotoProblem.TOO_SMALL: _(
        "The page is too small in the photo. Hold the phone closer, so the page fills most of the "
        "picture."
    ),
    PhotoProblem.MRZ_CUT_OFF: _(
        "The two lines with <<< at the bottom of the page are cut off. Keep the whole page in the "
        "picture."
    ),
    PhotoProblem.WRONG_PAGE: _(
        "We could not find the two lines with <<< on this photo. Photograph the page with your "
        "photo: those lines are at its bottom."
    ),
}


def hints_for(problems: list[PhotoProblem]) -> list[PhotoHint]:
    return [PhotoHint(problem, HINTS[problem], problem.value) for problem in problems]


def document_photo_hints(*, document: PassportDocument) -> list[PhotoHint]:
    """What to tell the customer about a photo whose MRZ could not be read, as measured when it
    was read (uploads.services.photo_problems_measure). None while it is still being read."""
    return hints_for([PhotoProblem(value) for value in document.photo_problems if value in HINTS])
