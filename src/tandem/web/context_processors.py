"""Navigation shown on every page, by the viewer's roles."""

from tandem.programs.selectors import program_list_administered_by


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_admin_programs": []}
    return {"nav_admin_programs": program_list_administered_by(user=user)[:10]}
