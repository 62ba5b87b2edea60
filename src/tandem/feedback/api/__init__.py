"""The evaluate-and-adjust API: one router made of one router per sub-domain module (each
module's paths start from the API root: ``/checkins/...``, ``/mentorships/{id}/health``)."""

from ninja import Router

router = Router()
