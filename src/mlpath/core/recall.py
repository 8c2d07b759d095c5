"""When a done topic comes up for review, scheduled by how well it was remembered. Pure.

The scheduler is FSRS (the ``fsrs`` package, the one Anki adopted): from a topic's graded
reviews it models the topic's stability (how many days until the chance of remembering
it falls to 90%) and difficulty, and sets the next review for the day that chance falls to
the desired retention. mlpath uses FSRS's default parameters, with no learning or
relearning steps (a topic is not a flash card seen again ten minutes later) and no fuzz,
so that a due date is the same on every machine and every run.

Nothing of FSRS's state is stored: a topic's schedule is its reviews replayed in order,
the finish first (finishing a topic is its first review, graded good), so it can never
disagree with the journal. Reviews of an earlier finish (before a reset) do not count.
``fsrs`` is imported only when a done topic is scheduled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from mlpath.core.progress import Grade, Recall, Status, TopicProgress

if TYPE_CHECKING:
    from fsrs import Scheduler

#: The chance of still remembering a topic on the day it comes due, unless the settings
#: file's ``[review] retention`` says otherwise; and the values that setting may take.
RETENTION = 0.9
RETENTION_RANGE = (0.7, 0.97)

#: The grades in the order of FSRS's ratings (1 to 4), as a learner may type them.
GRADES = (Grade.AGAIN, Grade.HARD, Grade.GOOD, Grade.EASY)


@dataclass(frozen=True)
class Memory:
    """What FSRS makes of a done topic's reviews."""

    due: datetime  # the next review (UTC)
    stability: float  # days until the chance of remembering falls to 90%
    difficulty: float  # 1 (easy) to 10 (hard)
    last: Recall  # the latest review (the finish, when there is none since)
    reviews: int  # the reviews since the finish, the finish not counted


def history(progress: TopicProgress) -> list[Recall]:
    """A done topic's reviews as FSRS replays them: its finish, graded good, then each
    review since, oldest first. Empty for a topic that is not done."""
    if progress.status is not Status.DONE or progress.done_at is None:
        return []
    done_at = progress.done_at
    return [Recall(done_at), *(r for r in progress.reviews if r.at >= done_at)]


def memory(progress: TopicProgress, retention: float = RETENTION) -> Memory | None:
    """The topic's FSRS schedule after replaying its reviews; None when it is not done."""
    replayed = history(progress)
    if not replayed:
        return None
    from fsrs import Card, Rating

    scheduler = _scheduler(retention)
    card = Card(card_id=1, due=_utc(replayed[0].at))  # an id given: no clock is read
    for recall in replayed:
        rating = Rating(GRADES.index(recall.grade) + 1)
        card, _ = scheduler.review_card(card, rating, _utc(recall.at))
    stability, difficulty = card.stability, card.difficulty
    if stability is None or difficulty is None:  # fsrs sets both at a card's first review
        raise ValueError("fsrs left a reviewed topic without a stability or difficulty")
    return Memory(card.due, stability, difficulty, replayed[-1], len(replayed) - 1)


def retrievability(remembered: Memory, now: datetime, retention: float = RETENTION) -> float:
    """FSRS's chance (0 to 1) that the topic is still remembered at ``now``."""
    from fsrs import Card, State

    card = Card(
        card_id=1,
        state=State.Review,
        stability=remembered.stability,
        difficulty=remembered.difficulty,
        due=remembered.due,
        last_review=_utc(remembered.last.at),
    )
    return float(_scheduler(retention).get_card_retrievability(card, _utc(now)))


def memories(
    topics: Mapping[str, TopicProgress], retention: float = RETENTION
) -> dict[str, Memory]:
    """The schedule of every done topic among ``topics`` (topic id -> progress)."""
    found = {}
    for topic_id, progress in topics.items():
        remembered = memory(progress, retention)
        if remembered is not None:
            found[topic_id] = remembered
    return found


_SCHEDULERS: dict[float, Scheduler] = {}


def _scheduler(retention: float) -> Scheduler:
    if retention not in _SCHEDULERS:
        from fsrs import Scheduler

        _SCHEDULERS[retention] = Scheduler(
            desired_retention=retention,
            learning_steps=(),
            relearning_steps=(),
            enable_fuzzing=False,
        )
    return _SCHEDULERS[retention]


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
