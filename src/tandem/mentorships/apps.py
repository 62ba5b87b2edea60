from django.apps import AppConfig


class MentorshipsConfig(AppConfig):
    name = "tandem.mentorships"
    label = "mentorships"

    def ready(self) -> None:
        from tandem.mentorships import tasks
        from tandem.mentorships.services.leaving import (
            LEAVE_STEP,
            mentorship_events_erase_for_closed_account,
            mentorships_erase_for_closed_account,
        )
        from tandem.mentorships.services.meetings import calendar_feed_rotate
        from tandem.notify import periodic
        from tandem.people.services.closing import register_account_eraser
        from tandem.people.services.passwords import register_credential_rotator
        from tandem.programs.services.leaving import register_leave_step

        periodic.register("mentorships.expire_requests", tasks.expire_requests_run)
        periodic.register("mentorships.send_due_reminders", tasks.send_due_reminders_run)
        periodic.register("mentorships.midpoint_reviews", tasks.midpoint_reviews_run)
        register_leave_step(LEAVE_STEP)
        register_account_eraser(mentorships_erase_for_closed_account)
        register_account_eraser(mentorship_events_erase_for_closed_account, wants_former=True)
        register_credential_rotator(calendar_feed_rotate)
