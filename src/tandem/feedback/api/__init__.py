"""The evaluate-and-adjust API: one router made of one router per sub-domain module (each
module's paths start from the API root: ``/checkins/...``, ``/mentorships/{id}/health``)."""

from ninja import Router

from tandem.feedback.api.checkins import router as checkins_router
from tandem.feedback.api.guidance import router as guidance_router
from tandem.feedback.api.health import router as health_router

router = Router()
router.add_router("", health_router)
router.add_router("", guidance_router)
router.add_router("", checkins_router)
