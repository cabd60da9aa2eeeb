"""Generated copy: a Zipf-distributed vocabulary, a pool of sentences drawn from it, and
bodies, headlines, deks and captions assembled from that pool with per-article names.

Speed matters (a million articles), so the expensive part, drawing words one by one, is
done once per run into a pool of sentences; an article then picks sentences from the pool
and fills in its own people, place and a coined name. Word counts are known by
construction (every token of a sentence holds a letter or digit, so it is one word for
``articles.html.count_words``); the tests check them against ``count_words``.
"""

import bisect
import itertools
import random
from dataclasses import dataclass

from django.utils.text import slugify

from . import words as w

# Placeholders in pool sentences, replaced per article (never left in stored text).
PERSON_A, PERSON_B, PLACE, COINED = "\x01", "\x02", "\x03", "\x04"
ZIPF_EXPONENT = 1.05
MIN_WORDS, MAX_WORDS = 300, 1500
COINED_WORDS = 2000


def _dedupe(items):
    return list(dict.fromkeys(items))


def coined_words(count: int) -> list[str]:
    """``count`` made-up words from syllables, the same on every run and machine."""
    rng = random.Random("coined-words")
    made, known = [], set()
    while len(made) < count:
        syllables = rng.randint(2, 3)
        word = "".join(rng.choice(w.ONSETS) + rng.choice(w.NUCLEI) for _ in range(syllables)) + rng.choice(w.CODAS)
        if word not in known:
            known.add(word)
            made.append(word)
    return made


def vocabulary() -> list[str]:
    """Real words in rough frequency order, then 2,000 coined ones (the long tail)."""
    real = _dedupe(w.FUNCTION_WORDS + w.COMMON_WORDS + w.RARER_WORDS)
    known = set(real)
    return real + [c for c in coined_words(COINED_WORDS + 50) if c not in known][:COINED_WORDS]


def zipf_cumulative(n: int, exponent: float = ZIPF_EXPONENT, offset: float = 2.7) -> list[float]:
    """Cumulative Zipf–Mandelbrot weights for ranks 0..n-1 (for ``bisect``)."""
    return list(itertools.accumulate(1.0 / (rank + offset) ** exponent for rank in range(n)))


@dataclass(frozen=True)
class Sentence:
    text: str
    words: int  # words outside the placeholders


class SentencePool:
    """Sentences drawn once per run from the Zipf vocabulary (deterministic for a seed)."""

    def __init__(self, seed: int, size: int):
        self.vocabulary = vocabulary()
        rng = random.Random(f"{seed}:pool")
        real = len(self.vocabulary) - COINED_WORDS
        # The coined tail is rarer still than its rank says: a few per article, not one in ten.
        weights = [1.0 / (rank + 2.7) ** ZIPF_EXPONENT for rank in range(len(self.vocabulary))]
        cumulative = list(itertools.accumulate(wt * (0.2 if i >= real else 1.0) for i, wt in enumerate(weights)))
        total = cumulative[-1]
        vocab = self.vocabulary
        self.content_start = len(_dedupe(w.FUNCTION_WORDS))

        def draw(k: int) -> list[str]:
            return [vocab[bisect.bisect(cumulative, rng.random() * total)] for _ in range(k)]

        self.sentences = [self._sentence(rng, draw) for _ in range(size)]

    def _sentence(self, rng: random.Random, draw) -> Sentence:
        length = int(rng.triangular(6, 28, 14))
        tokens = draw(length)
        if rng.random() < 0.25:
            tokens[rng.randrange(1, length)] += ","
        if rng.random() < 0.08:
            tokens.insert(rng.randrange(1, len(tokens)), f"{rng.randint(2, 9800):,}")
        if rng.random() < 0.03:
            tokens.insert(rng.randrange(1, len(tokens)), f"the {COINED}")
        words = len(tokens)  # "the <coined>" is one item: "the" counts here, the name in Names.fill
        text = " ".join(tokens)
        text = text[0].upper() + text[1:]
        kind = rng.random()
        if kind < 0.10:
            return Sentence(f"“{text},” said {PERSON_A}.", words + 1)
        if kind < 0.14:
            return Sentence(f"“{text},” {PERSON_B} said.", words + 1)
        if kind < 0.22:
            return Sentence(f"In {PLACE}, {text[0].lower()}{text[1:]}.", words + 1)
        return Sentence(f"{text}.", words)

    def pick(self, rng: random.Random, count: int) -> list[Sentence]:
        return rng.choices(self.sentences, k=count)

    def headline(self, rng: random.Random, place: str) -> str:
        """A headline of 5–11 content words, sometimes naming the place."""
        vocab = self.vocabulary
        start = self.content_start
        span = min(len(vocab) - start, 1600)
        # Content words, mostly common ones: squaring the draw skews towards low ranks.
        tokens = [vocab[start + int(span * rng.random() ** 2)] for _ in range(rng.randint(5, 11))]
        if rng.random() < 0.4:
            tokens.insert(rng.randrange(0, len(tokens)), place)
        text = " ".join(tokens)
        return text[0].upper() + text[1:]


def slug_for(headline: str) -> str:
    """The URL slug of a headline, at most 80 characters, cut at a hyphen."""
    slug = slugify(headline)
    if len(slug) > 80:
        slug = slug[:80].rsplit("-", 1)[0]
    return slug or "article"


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(w.FIRST_NAMES)} {rng.choice(w.SURNAMES)}"


def coined_name(rng: random.Random, pool: SentencePool) -> str:
    """A rare proper name: a coined word, capitalised (most occur in a handful of articles)."""
    tail = pool.vocabulary[-COINED_WORDS:]
    return rng.choice(tail).capitalize() + rng.choice(("", "", "ia", "ton", "ex", "ora"))


@dataclass
class Names:
    """The people, place and coined name one article talks about."""

    person_a: str
    person_b: str
    place: str
    coined: str

    def fill(self, text: str) -> tuple[str, int]:
        """Replace the placeholders in ``text``; return it and the words they added."""
        added = 0
        for marker, value in (
            (PERSON_A, self.person_a),
            (PERSON_B, self.person_b),
            (PLACE, self.place),
            (COINED, self.coined),
        ):
            n = text.count(marker)
            if n:
                text = text.replace(marker, value)
                added += n * len(value.split())
        return text, added


@dataclass
class Paragraph:
    html: str
    words: int


def paragraphs(rng: random.Random, pool: SentencePool, names: Names, target: int) -> list[Paragraph]:
    """Paragraphs (``<p>`` HTML with their word counts) of about ``target`` words:
    sentences are added until the count reaches ``target``."""
    result: list[Paragraph] = []
    total = 0
    sentences = iter(pool.pick(rng, target // 8 + 20))
    while total < target:
        chosen = []
        for _ in range(rng.choice((1, 2, 2, 3, 3, 3, 4))):
            chosen.append(next(sentences))
        text, added = names.fill(" ".join(s.text for s in chosen))
        count = sum(s.words for s in chosen) + added
        result.append(Paragraph(f"<p>{text}</p>", count))
        total += count
    return result


def body_length(rng: random.Random) -> int:
    """A target length in words: 300–1,460, most articles 400–850 (mean about 625)."""
    return MIN_WORDS + int(1160 * rng.betavariate(1.4, 3.6))


def join_body(parts: list[Paragraph], figures: dict[int, int]) -> tuple[str, int]:
    """Join paragraphs into a body, with ``<figure data-placement="N">`` after paragraph
    ``i`` for each ``figures[i] = N``. Returns the HTML and its word count."""
    html = []
    for i, part in enumerate(parts):
        html.append(part.html)
        position = figures.get(i)
        if position is not None:
            html.append(f'<figure data-placement="{position}"></figure>')
    return "\n".join(html), sum(p.words for p in parts)


def sentence_text(rng: random.Random, pool: SentencePool, names: Names, count: int = 1) -> str:
    text, _added = names.fill(" ".join(s.text for s in pool.pick(rng, count)))
    return text
