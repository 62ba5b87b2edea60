"""Navigation shown on every page, by the viewer's roles."""

from functools import partial

from tandem.programs.selectors import person_ever_enrolled, program_list_administered_by


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_admin_programs": [], "nav_takes_part": False}
    return {
        "nav_admin_programs": program_list_administered_by(user=user)[:10],
        # Site staff may run the site without being in any program, and anyone may sign up
        # before their invitation comes: the query runs only where the navigation is drawn.
        "nav_takes_part": partial(person_ever_enrolled, user=user),
    }
