"""Grand Shooting's workflow codes, named as the vendor's 3.3.1 spec and v3 docs name them."""

from __future__ import annotations

from enum import IntEnum


class PictureStatus(IntEnum):
    """`picturestatus`: where a picture stands on its bench (spec: "Worlflow step of the
    picture"). The v3 docs call 55 RELEASED ("transferred to the DAM"); 3.3.1 calls it
    broadcast."""

    IGNORED = 1
    RESHOOT = 5
    NOT_SELECTED = 10
    SELECTED = 30
    # Refused at validation: the common way to refuse an image.
    REFUSED = 31
    REFUSED_BY_RETOUCHER = 35
    FOR_APPROVAL = 40
    VALIDATED = 50
    READY_TO_BROADCAST = 51
    BROADCAST_ERROR = 52
    BROADCAST = 55
    ARCHIVED = 80


class BenchStep(IntEnum):
    """`benchsteptype`: a bench's step in the production workflow (Live, post-production
    phases 1 and 2, export/validation)."""

    LIVE = 10
    PHASE_1 = 20
    PHASE_2 = 30
    VALIDATION = 40


class BenchStatus(IntEnum):
    """`benchstatus`: the status of a bench (and of the production it belongs to)."""

    ACTIVE = 10
    IN_PROGRESS = 20
    FINISHED = 30
    ARCHIVING = 35
    ARCHIVED = 40
    FLUSHED = 50


class ExportPictureStatus(IntEnum):
    """`exportpicturestatus` ("status of export"): the spec gives no values; the simulator
    uses these two, matching what accounts show before and after validation."""

    PENDING = 10
    EXPORTED = 20


class BenchAccess(IntEnum):
    """`benchaccess` ("User access for bench", enum 10 15 20 25 40 50 60): the spec names none
    of them; the simulator uses one for production benches and one for validation benches."""

    PRODUCTION = 20
    VALIDATION = 40


# The statuses a picture may take on each step (spec: POST /picture/{id}/picturestatus).
STATUS_LIVE = (PictureStatus.RESHOOT, PictureStatus.NOT_SELECTED, PictureStatus.SELECTED)
STATUS_RETOUCH = (PictureStatus.SELECTED, PictureStatus.REFUSED_BY_RETOUCHER)
STATUS_VALIDATION = (
    PictureStatus.REFUSED,
    PictureStatus.FOR_APPROVAL,
    PictureStatus.VALIDATED,
    PictureStatus.READY_TO_BROADCAST,
    PictureStatus.BROADCAST_ERROR,
    PictureStatus.BROADCAST,
    PictureStatus.ARCHIVED,
)
STATUSES_BY_STEP: dict[int, tuple[PictureStatus, ...]] = {
    BenchStep.LIVE: STATUS_LIVE,
    BenchStep.PHASE_1: STATUS_RETOUCH,
    BenchStep.PHASE_2: STATUS_RETOUCH,
    BenchStep.VALIDATION: STATUS_VALIDATION,
}
STEP_LABELS: dict[int, str] = {
    BenchStep.LIVE: "Live",
    BenchStep.PHASE_1: "Retouching",
    BenchStep.PHASE_2: "Retouching 2",
    BenchStep.VALIDATION: "Validation",
}
