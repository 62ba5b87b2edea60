from django.apps import AppConfig


class MatchRunsConfig(AppConfig):
    name = "tandem.matchruns"
    label = "matchruns"
    verbose_name = "Match runs"

    def ready(self) -> None:
        # Mentorships sits below this app: it is handed the scorer of one pair, so a mentor
        # answering a request reads the reasons the ranked list gives.
        from tandem.matchruns.erasure import POOL_LEAVE_STEP, match_runs_erase_for_closed_account
        from tandem.matchruns.selectors import pair_reasons
        from tandem.mentorships.pair_facts import register_reasons_provider
        from tandem.people.services.closing import register_account_eraser
        from tandem.programs.services.leaving import register_leave_step

        register_reasons_provider(
            lambda program, mentor, mentee: pair_reasons(
                program=program, mentor_id=mentor.pk, mentee_id=mentee.pk
            )
        )
        register_account_eraser(match_runs_erase_for_closed_account)
        register_leave_step(POOL_LEAVE_STEP)
