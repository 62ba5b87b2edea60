"""Service rules for accounts, skills, profiles, identity and API tokens."""

from __future__ import annotations

import re
from datetime import UTC, date

import pytest
from django.core import signing
from django.utils import timezone

from tandem.core.exceptions import ApplicationError, NotFound
from tandem.matching.records import cells
from tandem.matching.records.cells import check_skill, skill_slug
from tandem.people import services
from tandem.people.auth import hash_token
from tandem.people.choices import SENIORITY_LEVELS, Cadence, MeetingFormat
from tandem.people.models import ApiToken, AvailabilityWindow, Identity, Profile, Skill, User
from tandem.people.services import tokens
from tests.people.factories import PASSWORD, ProfileFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db


class TestSignUp:
    def test_creates_user_profile_and_sends_verification(
        self, mailoutbox, argon2, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            user = services.user_sign_up(
                email=" Ada@Example.ORG ",
                password=PASSWORD,
                first_name=" Ada ",
                last_name="Lovelace",
            )
        assert user.email == "ada@example.org"
        assert user.first_name == "Ada"
        assert user.check_password(PASSWORD)
        assert user.password.startswith("argon2")
        assert user.email_verified_at is None
        assert Profile.objects.filter(user=user).exists()
        assert len(mailoutbox) == 1
        assert mailoutbox[0].to == ["ada@example.org"]
        assert "/verify-email/" in mailoutbox[0].body

    @pytest.mark.parametrize(
        "hint, stored",
        [("America/Chicago", "America/Chicago"), ("Nowhere/Land", "UTC"), ("", "UTC")],
    )
    def test_browser_time_zone_hint(self, hint, stored):
        user = services.user_sign_up(email="tz@example.org", password=PASSWORD, timezone=hint)
        assert Profile.objects.get(user=user).timezone == stored

    def test_existing_email_changes_nothing_and_emails_its_owner(
        self, mailoutbox, django_capture_on_commit_callbacks
    ):
        """Issue 8: sign-up must not reveal accounts; the owner hears about the attempt."""
        grace = UserFactory(email="grace@example.org", first_name="Grace")
        with django_capture_on_commit_callbacks(execute=True):
            result = services.user_sign_up(
                email="GRACE@example.org", password="another passphrase 9", first_name="Eve"
            )
        assert result is None
        grace.refresh_from_db()
        assert grace.first_name == "Grace" and grace.check_password(PASSWORD)
        assert User.objects.count() == 1
        assert [m.to for m in mailoutbox] == [["grace@example.org"]]
        assert mailoutbox[0].subject == "You already have a Tandem account"
        assert "/password-reset/" in mailoutbox[0].body

    @pytest.mark.parametrize(
        "password, fragment",
        [
            ("short", "too short"),
            ("12345678901", "entirely numeric"),
            ("password123", "too common"),
            ("linuslinus1", "too similar"),
        ],
    )
    def test_password_validators(self, password, fragment):
        with pytest.raises(ApplicationError) as error:
            services.user_sign_up(
                email="linuslinus1@example.org", password=password, first_name="Linus"
            )
        assert fragment in error.value.fields["password"]
        assert not User.objects.exists()

    def test_invalid_email(self):
        with pytest.raises(ApplicationError) as error:
            services.user_sign_up(email="not-an-email", password=PASSWORD)
        assert error.value.fields["email"] == services.EMAIL_INVALID


class TestVerifyEmail:
    def test_valid_token_marks_verified_and_is_idempotent(self):
        user = UserFactory()
        token = services.user_verification_token(user=user)
        assert services.user_verify_email(token=token).email_verified_at is not None
        first = User.objects.get(pk=user.pk).email_verified_at
        services.user_verify_email(token=token)
        assert User.objects.get(pk=user.pk).email_verified_at == first

    def test_expired_token(self):
        user = UserFactory()
        token = services.user_verification_token(user=user)
        with pytest.raises(ApplicationError, match="expired"):
            services.user_verify_email(token=token, max_age=-1)
        assert User.objects.get(pk=user.pk).email_verified_at is None

    def test_tampered_token(self):
        user = UserFactory()
        token = services.user_verification_token(user=user)
        tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        with pytest.raises(ApplicationError) as error:
            services.user_verify_email(token=tampered)
        assert error.value.message == services.VERIFY_TOKEN_INVALID

    def test_token_for_another_salt_or_old_email_is_rejected(self):
        user = UserFactory()
        forged = signing.dumps({"u": user.pk, "e": user.email}, salt="something-else")
        with pytest.raises(ApplicationError):
            services.user_verify_email(token=forged)
        token = services.user_verification_token(user=user)
        User.objects.filter(pk=user.pk).update(email="changed@example.org")
        with pytest.raises(ApplicationError):
            services.user_verify_email(token=token)


class TestSkills:
    @pytest.mark.parametrize(
        "raw, cleaned",
        [("  machine   learning ", "machine learning"), ("C++", "C++"), ("Go\tlang", "Go lang")],
    )
    def test_normalise(self, raw, cleaned):
        assert check_skill(raw) == cleaned

    def test_slug_keeps_c_family_apart(self):
        slugs = {skill_slug(name) for name in ["C", "C++", "C#", "c"]}
        assert len(slugs) == 3

    @pytest.mark.parametrize("raw", ["", "   ", "!!!", "x" * 81])
    def test_unusable_names(self, raw):
        with pytest.raises(ApplicationError):
            services.skill_get_or_create_bulk(names=[raw])

    def test_bulk_dedupes_and_keeps_canonical_capitalisation(self, django_assert_max_num_queries):
        SkillFactory(name="Python", slug="python")
        with django_assert_max_num_queries(3):
            skills = services.skill_get_or_create_bulk(
                names=["python", "Data  Science", "PYTHON", "data science", "SQL"]
            )
        assert [s.name for s in skills] == ["Python", "Data Science", "SQL"]
        assert Skill.objects.count() == 3

    def test_bulk_when_all_exist_takes_one_query(self, django_assert_num_queries):
        SkillFactory(name="Python", slug="python")
        with django_assert_num_queries(1):
            assert services.skill_get_or_create_bulk(names=["python"])[0].name == "Python"


FULL_UPDATE = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "headline": "  Analyst   engine  fan ",
    "bio": "Bio text",
    "goals": "Learn Rust",
    "expertise": "Mathematics",
    "skills_offered": ["python", " Data   Science"],
    "skills_wanted": "Rust, rust, Go",
    "seniority": 5,
    "department": "Research",
    "city": "London",
    "timezone": "Europe/London",
    "availability": ["Mon 09:00-12:00", "Mon 11:00-13:00", "Fri 22:00-01:00"],
    "languages": ["en", "FR", "en"],
    "meeting_format": "virtual",
    "cadence": "biweekly",
    "working_style": {"structure": 2, "pace": "4"},
}


class TestProfileUpdate:
    def test_saves_every_field(self):
        SkillFactory(name="Python", slug="python")
        manager = UserFactory(email="boss@example.org")
        profile = ProfileFactory()
        services.profile_update(
            profile=profile,
            actor=profile.user,
            manager_email="BOSS@example.org",
            reference_date=date(2026, 1, 14),
            **FULL_UPDATE,
        )
        profile = Profile.objects.get(pk=profile.pk)
        assert profile.user.first_name == "Ada"
        assert profile.headline == "Analyst engine fan"
        assert sorted(s.name for s in profile.skills_offered.all()) == ["Data Science", "Python"]
        assert sorted(s.name for s in profile.skills_wanted.all()) == ["Go", "Rust"]
        assert (profile.manager_email, profile.manager) == (manager.email, None)
        assert profile.languages == ["en", "fr"]
        assert profile.working_style == {"structure": 2, "pace": 4}
        assert [str(w) for w in profile.windows.all()] == [
            "Mon 09:00-13:00",
            "Fri 22:00-24:00",
            "Sat 00:00-01:00",
        ]
        assert profile.availability_utc == [[540, 780], [5760 + 1320, 7200 + 60]]

    @pytest.mark.parametrize(
        "field, value",
        [
            ("timezone", "Mars/Olympus"),
            ("languages", ["xx"]),
            ("seniority", 11),
            ("seniority", 7.5),
            ("meeting_format", "carrier pigeon"),
            ("cadence", "daily"),
            ("working_style", {"structure": 9}),
            ("working_style", {"unknown": 1}),
            ("availability", ["Mon 9-9"]),
            ("availability", ["Someday 09:00-10:00"]),
            ("manager_email", "not an email"),
            ("headline", "x" * 141),
            ("skills_offered", ["!!!"]),
        ],
    )
    def test_bad_field_writes_nothing(self, field, value):
        profile = ProfileFactory(headline="Before")
        AvailabilityWindow.objects.create(profile=profile, weekday=0, start_minute=0, end_minute=60)
        with pytest.raises(ApplicationError) as error:
            services.profile_update(
                profile=profile, actor=profile.user, **{**FULL_UPDATE, field: value}
            )
        assert error.value.status == 400
        assert any(key.split(".")[0] == field for key in error.value.fields)
        profile = Profile.objects.get(pk=profile.pk)
        assert profile.headline == "Before"
        assert profile.windows.count() == 1
        assert not profile.skills_offered.exists()
        assert not Skill.objects.exists()

    def test_reports_every_invalid_field_at_once(self):
        profile = ProfileFactory()
        with pytest.raises(ApplicationError) as error:
            services.profile_update(
                profile=profile,
                actor=profile.user,
                timezone="Nowhere",
                languages=["zz"],
                seniority=-1,
            )
        assert set(error.value.fields) == {"timezone", "languages", "seniority"}

    def test_unset_fields_are_left_alone(self):
        profile = ProfileFactory(headline="Keep", city="Paris")
        services.profile_update(profile=profile, actor=profile.user, city="Lyon")
        profile.refresh_from_db()
        assert (profile.headline, profile.city) == ("Keep", "Lyon")

    def test_manager_email_reveals_no_account(self):
        """Regression: naming a manager told the person whether the email had an account."""
        UserFactory(email="boss@example.org")
        with_account, without_account = ProfileFactory(), ProfileFactory()
        for profile, email in ((with_account, "boss@example.org"), (without_account, "x@y.org")):
            services.profile_update(profile=profile, actor=profile.user, manager_email=email)
        with_account.refresh_from_db()
        without_account.refresh_from_db()
        # kept as typed, no account looked up or linked either way
        assert (with_account.manager_contact, with_account.manager) == ("boss@example.org", None)
        assert (without_account.manager_contact, without_account.manager) == ("x@y.org", None)

    def test_unchanged_manager_keeps_an_imported_link(self):
        boss = UserFactory(email="boss@example.org")
        profile = ProfileFactory(manager=boss)
        services.profile_update(
            profile=profile, actor=profile.user, manager_email="Boss@example.org"
        )
        profile.refresh_from_db()
        assert (profile.manager_email, profile.manager) == ("", boss)

    def test_cannot_be_own_manager(self):
        profile = ProfileFactory()
        with pytest.raises(ApplicationError) as error:
            services.profile_update(
                profile=profile, actor=profile.user, manager_email=profile.user.email
            )
        assert error.value.fields["manager_email"] == services.MANAGER_SELF

    def test_other_people_cannot_update(self):
        profile = ProfileFactory()
        with pytest.raises(NotFound):
            services.profile_update(profile=profile, actor=UserFactory(), headline="Hacked")

    def test_staff_and_system_can_update(self):
        profile = ProfileFactory()
        services.profile_update(profile=profile, actor=UserFactory(is_staff=True), city="A")
        services.profile_update(profile=profile, actor=None, city="B")
        profile.refresh_from_db()
        assert profile.city == "B"

    def test_timezone_change_recomputes_utc(self):
        profile = ProfileFactory(timezone="UTC")
        services.profile_set_availability(
            profile=profile,
            actor=profile.user,
            windows=["Mon 09:00-10:00"],
            reference_date=date(2026, 1, 14),
        )
        assert Profile.objects.get(pk=profile.pk).availability_utc == [[540, 600]]
        services.profile_update(
            profile=profile,
            actor=profile.user,
            timezone="Asia/Tokyo",
            reference_date=date(2026, 1, 14),
        )
        assert Profile.objects.get(pk=profile.pk).availability_utc == [[0, 60]]

    def test_availability_accepts_tuples(self):
        profile = ProfileFactory(timezone="UTC")
        services.profile_set_availability(
            profile=profile, actor=None, windows=[(0, 540, 600), (0, 600, 660)]
        )
        assert [str(w) for w in profile.windows.all()] == ["Mon 09:00-11:00"]

    def test_refresh_availability(self):
        profile = ProfileFactory(timezone="America/New_York")
        AvailabilityWindow.objects.create(
            profile=profile, weekday=0, start_minute=540, end_minute=600
        )
        services.profile_refresh_availability(profile=profile, reference_date=date(2026, 7, 15))
        assert Profile.objects.get(pk=profile.pk).availability_utc == [[780, 840]]


class TestIdentity:
    def test_set_requires_consent(self):
        user = UserFactory()
        with pytest.raises(ApplicationError) as error:
            services.identity_set(user=user, attributes=["Parent"], consent=False)
        assert error.value.fields == {"consent": services.IDENTITY_CONSENT_REQUIRED}
        assert not Identity.objects.exists()

    def test_set_normalises_and_replaces(self):
        user = UserFactory()
        services.identity_set(
            user=user,
            attributes=[" First-gen  graduate", "parent", "Parent", ""],
            consent=True,
        )
        identity, _ = services.identity_set(user=user, attributes=["Parent"], consent=True)
        assert Identity.objects.get(user=user).attributes == ["Parent"]
        assert Identity.objects.count() == 1

    def test_limits(self):
        user = UserFactory()
        with pytest.raises(ApplicationError):
            services.identity_set(
                user=user,
                attributes=[f"item {i}" for i in range(11)],
                consent=True,
            )
        with pytest.raises(ApplicationError):
            services.identity_set(user=user, attributes=["x" * 61], consent=True)

    def test_withdraw_deletes(self):
        user = UserFactory()
        services.identity_set(user=user, attributes=["Parent"], consent=True)
        assert services.identity_withdraw(user=user) is True
        assert services.identity_withdraw(user=user) is False
        assert not Identity.objects.exists()


class TestApiTokens:
    def test_create_stores_only_hash(self):
        user = UserFactory()
        token, secret = services.api_token_create(user=user, name="  laptop  ")
        assert token.name == "laptop"
        assert secret.startswith("tdm_") and len(secret) > 40
        assert token.prefix == secret[:12]
        stored = ApiToken.objects.get(pk=token.pk)
        assert secret not in (stored.key_hash, stored.prefix)
        assert stored.key_hash == hash_token(secret)

    def test_name_required(self):
        with pytest.raises(ApplicationError) as error:
            services.api_token_create(user=UserFactory(), name="  ")
        assert error.value.fields == {"name": services.TOKEN_NAME_REQUIRED}

    def test_limit(self, monkeypatch):
        monkeypatch.setattr(tokens, "MAX_ACTIVE_TOKENS", 2)
        user = UserFactory()
        services.api_token_create(user=user, name="a")
        token, _ = services.api_token_create(user=user, name="b")
        with pytest.raises(ApplicationError) as error:
            services.api_token_create(user=user, name="c")
        assert error.value.status == 409
        services.api_token_revoke(user=user, token_id=token.pk)
        services.api_token_create(user=user, name="c")

    def test_revoke_own_only(self):
        owner, other = UserFactory(), UserFactory()
        token, _ = services.api_token_create(user=owner, name="a")
        with pytest.raises(NotFound):
            services.api_token_revoke(user=other, token_id=token.pk)
        assert ApiToken.objects.get(pk=token.pk).revoked_at is None
        revoked = services.api_token_revoke(user=owner, token_id=token.pk)
        assert revoked.revoked_at <= timezone.now()
        again = services.api_token_revoke(user=owner, token_id=token.pk)
        assert again.revoked_at == revoked.revoked_at
        assert re.fullmatch(r"[0-9a-f]{64}", revoked.key_hash)


class TestBulkRefresh:
    def test_only_changed_profiles_are_saved(self, django_assert_max_num_queries):
        from datetime import datetime

        from tandem.people.tasks import refresh_availability_run

        london = ProfileFactory(timezone="Europe/London")
        tokyo = ProfileFactory(timezone="Asia/Tokyo")
        for profile in (london, tokyo):
            services.profile_set_availability(
                profile=profile,
                actor=None,
                windows=["Mon 09:00-10:00"],
                reference_date=date(2026, 1, 14),
            )
        ProfileFactory()  # no windows at all
        with django_assert_max_num_queries(6):
            changed = services.profiles_refresh_availability_bulk(reference_date=date(2026, 7, 15))
        assert changed == 1  # Tokyo has no DST
        assert Profile.objects.get(pk=london.pk).availability_utc == [[480, 540]]
        assert refresh_availability_run(datetime(2026, 1, 14, tzinfo=UTC)) == 1
        assert Profile.objects.get(pk=london.pk).availability_utc == [[540, 600]]

    def test_periodic_refresh_runs_once_a_day_across_workers(self):
        from datetime import datetime

        from django.core.cache import cache

        from tandem.notify.periodic import run_periodic_jobs
        from tandem.people.tasks import refresh_availability_daily

        cache.clear()
        london = ProfileFactory(timezone="Europe/London")
        services.profile_set_availability(
            profile=london,
            actor=None,
            windows=["Mon 09:00-10:00"],
            reference_date=date(2026, 1, 14),
        )
        summer = datetime(2026, 7, 15, 6, tzinfo=UTC)
        results = run_periodic_jobs(summer)
        assert results["people.refresh_availability"] == 1
        assert refresh_availability_daily(summer.replace(hour=7)) == 0  # already claimed today
        assert Profile.objects.get(pk=london.pk).availability_utc == [[480, 540]]


def test_profile_choices_are_the_participant_records():
    """The form's choices offer exactly what the record accepts."""
    assert tuple(MeetingFormat.values) == cells.FORMATS
    assert tuple(Cadence.values) == cells.CADENCES
    assert [level for level, _ in SENIORITY_LEVELS] == list(cells.SENIORITY_RANGE)
