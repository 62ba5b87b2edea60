from django.apps import AppConfig


class MentorshipsConfig(AppConfig):
    name = "tandem.mentorships"
    label = "mentorships"

    def ready(self) -> None:
        from tandem.mentorships import tasks
        from tandem.notify import periodic

        periodic.register("mentorships.expire_requests", tasks.expire_requests_run)
        periodic.register("mentorships.send_due_reminders", tasks.send_due_reminders_run)
        periodic.register("mentorships.midpoint_reviews", tasks.midpoint_reviews_run)
