"""Jobs kept unsent while Redis is down, against moto: found by one Query, each sent once."""

import pytest
from kombu.exceptions import OperationalError

from photoshare_shared.catalog.item import ATTENTION_PARTITION, UNSENT_JOB
from photoshare_shared.outbox import JobOutbox
from photoshare_shared.photo import Photo, Status, utc_now
from tests.support.photos import add_queued


@pytest.fixture
def outbox(catalog, attention, publisher) -> JobOutbox:
    return JobOutbox(catalog=catalog, attention=attention, publisher=publisher)


def test_a_refused_send_is_kept_and_sent_later_oldest_first(catalog, attention, publisher, outbox):
    older, newer, sent = add_queued(catalog, age_s=5), add_queued(catalog), add_queued(catalog)
    assert outbox.send(sent)
    publisher.error = OperationalError("down")
    assert not outbox.send(newer) and not outbox.send(older)
    assert [p.photo_id for p in attention.unsent(limit=10)] == [older, newer]
    assert catalog.get(photo_id=older).job_unsent and not catalog.get(photo_id=sent).job_unsent

    publisher.error = None
    assert outbox.send_unsent(limit=10) == 2
    assert publisher.published == [sent, older, newer]
    assert attention.unsent(limit=10) == [] and outbox.send_unsent(limit=10) == 0
    assert not catalog.get(photo_id=older).job_unsent


def test_sending_restarts_queued_at_so_the_stuck_sweep_does_not_send_it_again(catalog, outbox):
    photo_id = add_queued(catalog, unsent=True, age_s=3600)
    before = catalog.get(photo_id=photo_id).queued_at
    outbox.send_unsent(limit=10)
    assert catalog.get(photo_id=photo_id).queued_at > before


def test_two_senders_racing_send_each_job_once(catalog, attention, publisher):
    photo_id = add_queued(catalog, unsent=True)

    class SeenBeforeTheOtherSent:  # the index as the slower sender read it
        def unsent(self, *, limit: int) -> list[Photo]:
            return [catalog.get(photo_id=photo_id)]

    slow = JobOutbox(catalog=catalog, attention=SeenBeforeTheOtherSent(), publisher=publisher)  # type: ignore[arg-type]
    fast = JobOutbox(catalog=catalog, attention=attention, publisher=publisher)
    fast.send_unsent(limit=10)
    slow.send_unsent(limit=10)
    assert publisher.published == [photo_id]


def test_only_a_queued_photo_is_marked_unsent(catalog):
    photo_id = add_queued(catalog)
    catalog.start_processing(photo_id=photo_id)  # the send reached Redis after all
    assert not catalog.mark_unsent(photo_id=photo_id)
    assert catalog.get(photo_id=photo_id).status is Status.PROCESSING


def test_unsent_photos_count_as_queued_but_are_not_stuck(catalog, attention):
    waiting, unsent = add_queued(catalog, age_s=3600), add_queued(catalog, unsent=True, age_s=7200)
    item = catalog.table.get_item(Key={"photo_id": unsent})["Item"]
    assert item["status"] == "QUEUED" and item[ATTENTION_PARTITION] == UNSENT_JOB
    assert attention.count(status=Status.QUEUED) == 2
    assert attention.oldest(status=Status.QUEUED).photo_id == unsent
    cutoff = utc_now()
    assert [p.photo_id for p in attention.waiting_since_before(status=Status.QUEUED, cutoff=cutoff, limit=10)] == [
        waiting
    ]
