"""Run every periodic job once (reminders, expiries, digests, mid-point reviews).

Schedule it every few minutes (cron, systemd timer, or the lead's scheduler). Running it
twice, or on two machines at once, sends nothing twice: each reminder is claimed in the
database first.
"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tandem.notify.periodic import run_periodic_jobs


class Command(BaseCommand):
    help = "Run Tandem's periodic jobs once (reminders, expiries, digests, reviews)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO datetime to run as (testing); default: now.")

    def handle(self, *args, now=None, **options):
        try:
            moment = datetime.fromisoformat(now) if now else timezone.now()
        except ValueError as error:
            raise CommandError(f"--now: {now!r} is not an ISO date and time ({error}).") from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        results = run_periodic_jobs(moment)
        if options["verbosity"] > 0:  # the worker ticks at 0: 16 lines a minute said nothing
            for name, result in results.items():
                self.stdout.write(f"{name}: {result}")
