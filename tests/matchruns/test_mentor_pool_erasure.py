"""A self-serve program's kept mentors (``tandem.matchruns.mentor_pool``) hold each mentor's
name and expertise in the shared cache. Someone who deletes their account or leaves the
program is erased from it once that commits, on the database cache and on Redis alike (live
privacy review: a deleted mentor's record stayed in ``tandem_cache`` for a week, under the key
of an older version, which nothing read any more and nothing deleted)."""

from __future__ import annotations

import base64
import uuid

import pytest
from django.core.cache import cache
from django.db import connection

from tandem.matchruns import mentor_pool
from tandem.matchruns.selectors import mentor_recommendations
from tandem.people.services import profile_update
from tandem.people.services.closing import account_delete
from tandem.programs.models import Enrolment, EnrolmentStatus, MatchingMode
from tandem.programs.services.leaving import enrolment_leave
from tests.matchruns.factories import ProgramFactory, mentee, mentor
from tests.people.factories import PASSWORD

pytestmark = pytest.mark.django_db
SECRETS = (b"Quillonette", b"Zarquonish")
SQL = {"offered": ["SQL"], "seniority": 6}


@pytest.fixture(params=["database", "redis"])
def stored(request, settings):
    """A function giving the raw bytes of every entry in the cache this test uses (its values
    are pickled as they are, so a kept name or text shows in them)."""
    mentor_pool._local.clear()
    if request.param == "database":

        def raw() -> bytes:
            with connection.cursor() as cursor:
                cursor.execute("SELECT value FROM tandem_cache")
                return b"".join(base64.b64decode(value) for (value,) in cursor.fetchall())

        yield raw
        return
    prefix = f"pool-erasure-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": request.getfixturevalue("redis_url"),
            "KEY_PREFIX": prefix,  # the suite's Redis database is shared: read only ours
        }
    }
    client = cache._cache.get_client()

    def raw() -> bytes:
        return b"".join(client.get(key) or b"" for key in client.scan_iter(f"{prefix}:*"))

    yield raw
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def market():
    program = ProgramFactory(matching_mode=MatchingMode.SELF_SERVE)
    me = mentee(program, goals="SQL query tuning", wanted=["SQL"])
    gone = mentor(program, first_name="Quillonette", expertise="SQL and Zarquonish tuning", **SQL)
    other = mentor(program, first_name="Stays", expertise="SQL query tuning", **SQL)
    return program, me, gone, other


def shown(me, program) -> set[int]:
    return {item.mentor_id for item in mentor_recommendations(user=me, program=program).items}


def kept_in_two_versions(stored, market) -> None:
    """The list seen before and after another mentor's edit: two versions of the pool, both
    with the mentor who then goes."""
    program, me, gone, other = market
    assert gone.pk in shown(me, program)
    profile_update(profile=other.profile, actor=None, expertise="SQL query tuning at scale")
    assert gone.pk in shown(me, program)
    assert all(secret in stored() for secret in SECRETS)


def test_a_deleted_mentor_is_erased_from_every_kept_pool(
    stored, market, django_capture_on_commit_callbacks
):
    program, me, gone, _ = market
    kept_in_two_versions(stored, market)
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=gone, password=PASSWORD)
    assert not any(secret in stored() for secret in SECRETS)
    assert gone.pk not in shown(me, program)
    assert not any(secret in stored() for secret in SECRETS)


def test_a_mentor_who_leaves_is_erased_from_every_kept_pool(
    stored, market, django_capture_on_commit_callbacks
):
    program, me, gone, _ = market
    kept_in_two_versions(stored, market)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_leave(user=gone, slug=program.slug)
    assert not any(secret in stored() for secret in SECRETS)
    assert gone.pk not in shown(me, program)


def test_a_mentor_removed_earlier_then_deleted_is_erased_too(
    stored, market, django_capture_on_commit_callbacks
):
    """An admin's removal gives a new version that no page has read yet: the pool kept
    before it still holds the mentor when they delete their account."""
    program, me, gone, _ = market
    kept_in_two_versions(stored, market)
    Enrolment.objects.filter(program=program, person=gone).update(status=EnrolmentStatus.REMOVED)
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=gone, password=PASSWORD)
    assert not any(secret in stored() for secret in SECRETS)


def test_a_program_keeps_one_pool_however_often_it_changes(stored, market):
    """A new version replaces the program's pool instead of adding one beside it, so a
    change (an admin's removal, an edit) leaves no older copy behind once a page is read."""
    program, me, gone, other = market
    kept_in_two_versions(stored, market)
    Enrolment.objects.filter(program=program, person=gone).update(status=EnrolmentStatus.REMOVED)
    assert gone.pk not in shown(me, program)
    assert not any(secret in stored() for secret in SECRETS)


def test_a_pool_converted_while_a_mentor_deletes_their_account_is_not_kept(
    stored, market, django_capture_on_commit_callbacks, monkeypatch
):
    """A page that read the mentors before the deletion committed, and writes its pool after
    the erasure ran, would put the deleted mentor back in the cache for a week."""
    program, me, gone, _ = market
    convert = mentor_pool._build

    def converted_during_the_deletion(program):
        pool = convert(program)
        with django_capture_on_commit_callbacks(execute=True):
            account_delete(user=gone, password=PASSWORD)
        return pool

    monkeypatch.setattr(mentor_pool, "_build", converted_during_the_deletion)
    shown(me, program)
    assert not any(secret in stored() for secret in SECRETS)
    assert not mentor_pool._local
