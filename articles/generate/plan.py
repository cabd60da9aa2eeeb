"""What a run makes, before any article: the context shared by every batch (sites, authors,
sections, tags, pictures, first ids) and the split of the timeline into batches.

Batches are whole days, so an article's URL (site, local date, slug) can only clash with
another article of the same batch; each batch is generated from its own random stream
(seed, batch number), so the output does not depend on how many batches run at once.
"""

import bisect
import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

YEARS = 20
FUTURE_DAYS = 14  # scheduled articles fall in the two weeks after the anchor
BATCH_ARTICLES = 1000

# Highest number of rows of each kind one article can have: ids of a batch start at
# base + (index of its first article) × stride, so batches never need to agree on ids.
STRIDES = {"byline": 3, "image": 4, "placement": 4, "tag": 5, "site": 1, "revision": 6, "correction": 1}
ID_TABLES = ("article", *STRIDES)

# Relative number of articles by local hour of day.
HOUR_WEIGHTS = (
    0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.0, 2.2, 2.0, 1.8, 1.6,
    1.6, 1.5, 1.5, 1.4, 1.4, 1.3, 1.2, 1.0, 0.8, 0.6, 0.4, 0.3,
)  # fmt: skip
HOUR_CUMULATIVE = list(itertools.accumulate(HOUR_WEIGHTS))


@dataclass(frozen=True)
class SiteInfo:
    id: int
    name: str
    time_zone: str
    language: str
    weight: float


@dataclass(frozen=True)
class Picture:
    """A shared JPEG in media storage, with the renditions made of it once."""

    name: str
    width: int
    height: int
    renditions: list = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """Everything a batch needs; picklable, so worker processes can receive it."""

    seed: int
    count: int
    anchor: datetime  # "now" of the generated archive: midnight UTC of its last day
    sites: tuple[SiteInfo, ...]
    sections: tuple[tuple[int, str], ...]  # (id, slug)
    tags: tuple[tuple[int, str], ...]  # (id, slug), in popularity order
    persons: tuple[tuple[int, str], ...]  # (id, name), in order of career start
    agencies: tuple[tuple[int, str, str], ...]  # (id, name, free-text byline)
    pictures: tuple[Picture, ...]
    bases: dict  # table -> first id to use
    pool_size: int

    @property
    def first_day(self) -> date:
        return self.anchor.date() - timedelta(days=365 * YEARS + YEARS // 4)

    @property
    def days(self) -> int:
        return (self.anchor.date() - self.first_day).days + FUTURE_DAYS

    def child_id(self, table: str, first_index: int) -> int:
        return self.bases[table] + first_index * STRIDES[table]


@dataclass(frozen=True)
class Batch:
    number: int
    first_index: int  # index (in the whole run) of the batch's first article
    days: tuple[tuple[int, int], ...]  # (day number from first_day, articles that day)

    @property
    def size(self) -> int:
        return sum(n for _day, n in self.days)


def day_counts(ctx: Context) -> list[int]:
    """How many articles each day gets: more on weekdays, more in later years, a few on
    the future days (scheduled). Deterministic for the seed; sums to ``ctx.count``."""
    rng = random.Random(f"{ctx.seed}:days")
    past = ctx.days - FUTURE_DAYS
    weights = []
    for day in range(ctx.days):
        weekday = (ctx.first_day + timedelta(days=day)).weekday()
        weight = (0.55 if weekday >= 5 else 1.0) * (0.6 + 0.8 * min(day, past) / past)
        weights.append(weight)  # future days (scheduled): as busy as the last ones
    cumulative = list(itertools.accumulate(weights))
    total = cumulative[-1]
    counts = [0] * ctx.days
    for _ in range(ctx.count):
        counts[bisect.bisect(cumulative, rng.random() * total)] += 1
    return counts


def batches(ctx: Context, size: int = BATCH_ARTICLES) -> list[Batch]:
    """Split the timeline into batches of whole days, about ``size`` articles each."""
    result: list[Batch] = []
    days: list[tuple[int, int]] = []
    first = taken = 0
    for day, n in enumerate(day_counts(ctx)):
        if not n:
            continue
        days.append((day, n))
        taken += n
        if taken >= size:
            result.append(Batch(len(result), first, tuple(days)))
            first += taken
            days, taken = [], 0
    if days:
        result.append(Batch(len(result), first, tuple(days)))
    return result


def anchor_for(value: date | None) -> datetime:
    """Midnight UTC at the start of ``value`` (today by default)."""
    value = value or datetime.now(UTC).date()
    return datetime(value.year, value.month, value.day, tzinfo=UTC)
