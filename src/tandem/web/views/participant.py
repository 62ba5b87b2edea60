"""The participant's dashboard: their profile, programs and mentorships."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tandem.people.selectors import profile_completeness
from tandem.people.services import profile_ensure
from tandem.programs.selectors import enrolment_list_for_person


@login_required
def dashboard(request):
    profile = profile_ensure(user=request.user)
    return render(
        request,
        "web/dashboard.html",
        {
            "completeness": profile_completeness(profile=profile),
            "enrolments": enrolment_list_for_person(user=request.user),
        },
    )
