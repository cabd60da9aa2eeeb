"""Progress of a command that works through many items.

On a terminal: one bar, redrawn in place, with the counts so far and the rate; the
per-item lines a command prints scroll above it. Elsewhere (a log file, CI, a pipe): the
per-item lines, a plain progress line every few seconds, nothing redrawn. Either way the
command ends with one summary line, e.g.
``created 3, updated 1, unchanged 0, skipped 1, failed 0 (5 items in 2.1 s, 2.4/s)``.
"""

import time
from collections import Counter
from collections.abc import Callable, Iterable

BAR_WIDTH = 28
REDRAW_EVERY = 0.1  # seconds between redraws of the bar
LOG_EVERY = 5.0  # seconds between plain progress lines


class Progress:
    """Count items by outcome and show how far a command has got.

    ``statuses`` fixes the order of the counts in the bar and the summary (any other
    outcome is added after them). ``total`` may be None when it is not known in advance
    (a web archive's records): the bar then shows counts and rate without a percentage.
    ``stream`` is a text stream or a Django ``OutputWrapper``; ``tty`` overrides the
    stream's own ``isatty()``.
    """

    def __init__(
        self,
        *,
        stream,
        total: int | None = None,
        statuses: Iterable[str] = (),
        noun: str = "items",
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.stream = stream
        self.total = total
        self.noun = noun
        self.counts: Counter[str] = Counter({status: 0 for status in statuses})
        self.tty = _is_tty(stream) if tty is None else tty
        self.clock = clock
        self.started = clock()
        self._drawn = False
        self._last_draw = 0.0
        self._last_log = self.started

    # --- Counting ----------------------------------------------------------------------

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    def rate(self) -> float:
        elapsed = self.clock() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def item(self, status: str, line: str | None = None) -> None:
        """Count one item with outcome ``status`` and print ``line`` about it (if any)."""
        self.counts[status] += 1
        if line is not None:
            self.line(line)
        self._tick()

    def line(self, text: str) -> None:
        """Print a line; on a terminal it goes above the bar."""
        if self.tty and self._drawn:
            self._write("\r\x1b[2K")
            self._drawn = False
        self._write(text + "\n")
        if self.tty:
            self._draw()

    # --- Output --------------------------------------------------------------------------

    def counts_text(self) -> str:
        return ", ".join(f"{status} {count}" for status, count in self.counts.items())

    def summary(self) -> str:
        elapsed = self.clock() - self.started
        return f"{self.counts_text()} ({self.done} {self.noun} in {elapsed:.1f} s, {self.rate():.1f}/s)"

    def close(self) -> str:
        """Clear the bar and print the one-line summary; return it."""
        if self.tty and self._drawn:
            self._write("\r\x1b[2K")
            self._drawn = False
        text = self.summary()
        self._write(text + "\n")
        return text

    def _tick(self) -> None:
        now = self.clock()
        if self.tty:
            if now - self._last_draw >= REDRAW_EVERY:
                self._draw()
        elif now - self._last_log >= LOG_EVERY:
            self._last_log = now
            self._write(f"progress: {self._position()}, {self.rate():.1f}/s; {self.counts_text()}\n")

    def _position(self) -> str:
        if self.total:
            return f"{self.done}/{self.total} {self.noun} ({100 * self.done / self.total:.0f}%)"
        return f"{self.done} {self.noun}"

    def bar(self) -> str:
        if self.total:
            filled = min(BAR_WIDTH, round(BAR_WIDTH * self.done / self.total))
            gauge = "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "] "
        else:
            gauge = ""
        return f"{gauge}{self._position()} · {self.rate():.1f}/s · {self.counts_text()}"

    def _draw(self) -> None:
        self._last_draw = self.clock()
        self._write("\r\x1b[2K" + self.bar())
        self._drawn = True

    def _write(self, text: str) -> None:
        if hasattr(self.stream, "style_func"):  # a Django OutputWrapper adds its own ending
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        flush = getattr(self.stream, "flush", None)
        if flush is not None:
            flush()


def _is_tty(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False
