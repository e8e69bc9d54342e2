"""A cheap pre-check before running cue regexes: which ones could match at all?

Python's `re` tries every branch of a big alternation at every word start, so
a 40-branch lexicon costs ~25 µs a post even when nothing matches. Every cue
match starts at a word start (the lexicons put `(?<![\\w])` in front), so the
first K characters there must be one of the prefixes the regex can begin
with. `prefixes` works those out from the parsed regex once; per text, one
findall lists the K-character windows at word starts and a dict lookup
per window names the few regexes worth running. The gate only ever skips a
regex that cannot match, so results are unchanged.
"""

from __future__ import annotations

import re
from re import _constants as C  # noqa: N812 (sre opcodes)
from re import _parser as sre_parse

_LIMIT = 4000  # more prefixes than this: stop spelling them out (end them open)
_OPEN = "\x00"  # marks a prefix whose continuation is not spelled out (anything may follow)
K = 4  # prefix length: long enough to tell "no reply" from "now", short enough to enumerate
# The K-character window at every word start (a non-space not after a word character):
# each match skips spaces, captures the window, then consumes a word run and the one
# character after it that is not a word start, or else one character. Same windows as
# rf"(?<![\w])(?=(\S.{{0,{K - 1}}}))", in a match per word instead of a try per character.
_STARTS = re.compile(rf"\s*(?=(\S.{{0,{K - 1}}}))(?:\w+[^\w\s]?|.)", re.DOTALL)
_WORD_START = re.compile(r"(?<![\w])\S")


class Unbounded(Exception):
    """The regex can start with too many strings (\\w, ., a negated class)."""


# Digits all count as "0" on both sides, so "\d+" spells out as "0", "00", ...
_DIGITS = str.maketrans("123456789", "000000000")


def _chars(op, av) -> set[str]:
    if op is C.LITERAL:
        return {chr(av).lower().translate(_DIGITS)}
    if op is C.IN:
        out: set[str] = set()
        for sop, sav in av:
            if sop is C.LITERAL:
                out.add(chr(sav).lower().translate(_DIGITS))
            elif sop is C.RANGE and sav[1] - sav[0] < 64:
                out.update(chr(c).lower().translate(_DIGITS) for c in range(sav[0], sav[1] + 1))
            elif sop is C.CATEGORY and sav is C.CATEGORY_DIGIT:
                out.add("0")
            elif sop is C.CATEGORY and sav is C.CATEGORY_SPACE:
                out.update(" \t\n\r\f\v")
            else:
                raise Unbounded
        return out
    raise Unbounded


def _seq(items, k: int) -> set[str]:
    """Strings of length <= k a match of this sequence can start with.

    Shorter than k: the match can end there; ending in _OPEN: anything may follow."""
    current = {""}
    for op, av in items:
        if all(len(p) >= k or p.endswith(_OPEN) for p in current):
            break
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue  # zero width: ignoring it only makes the gate more permissive
        try:
            options = _item(op, av, k)
        except Unbounded:
            options = {_OPEN}
        nxt = set()
        for p in current:
            if len(p) >= k or p.endswith(_OPEN):
                nxt.add(p)
                continue
            for s in options:
                q = p + s
                nxt.add(q if q.endswith(_OPEN) else q[:k])
        if len(nxt) > _LIMIT:
            raise Unbounded
        current = nxt
    return current


def _item(op, av, k: int) -> set[str]:
    if op in (C.LITERAL, C.IN):
        return _chars(op, av)
    if op is C.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            out |= _seq(branch, k)
        return out
    if op is C.SUBPATTERN:
        return _seq(av[-1], k)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        lo, hi, body = av
        out = set()
        for n in range(lo, min(hi, k) + 1):
            out |= _seq(list(body) * n, k)
        if hi > k:  # more repeats only lengthen a prefix already k long or extend one that ended
            out |= _seq(list(body) * (k + 1), k)
        return out
    raise Unbounded


def prefixes(pattern: str, flags: int = re.IGNORECASE, k: int = K) -> frozenset[str] | None:
    """The lowercased first-k-character strings a match can begin with; None if too many."""
    try:
        found = {p.rstrip(_OPEN) for p in _seq(sre_parse.parse(pattern, flags), k)}
    except Unbounded:
        return None
    if any(not p or p[0].isspace() for p in found):
        return None
    return frozenset(p[:k] for p in found)


def word_starts(text: str) -> list[str]:
    """The (up to) K-character windows at every word start of the lowercased text."""
    return _STARTS.findall(text.lower().translate(_DIGITS))


_NO_HITS: dict[int, dict[int, list[int]]] = {}  # (never written to)
_UNKNOWN: list[int] = []  # word starts not worked out (never written to)
# A run of non-spaces' word starts that could start a regex: (offset, candidates or None)
_Run = tuple[tuple[int, tuple[tuple[int, tuple[int, ...]], ...] | None], ...]


class TextKeys:
    """A text's set of windows (and their cuts to j < K characters, made on first use);
    compute once, share between gates."""

    __slots__ = ("_cuts", "_full", "_text", "found", "index", "at", "low")

    def __init__(self, text: str, index: GateIndex | None = None,
                 found: dict[int, dict[int, list[int]]] = _NO_HITS,
                 at: dict[int, dict[int, list[int]]] | None = None, low: str | None = None):
        # From a GateIndex (index given) the windows are worked out only if a gate outside
        # it asks (`full` on first use): keeping a set per text costs more to free.
        self._text = text
        self._full = set(word_starts(text)) if index is None else None
        self._cuts: dict[int, set[str]] | None = None
        self.index = index  # set by GateIndex.keys: candidates precomputed
        self.found = found  # gate slot -> its candidates (keys)
        # gate slot -> {candidate -> the word starts (offsets in the text) it could match at};
        # None: offsets unknown (lowercasing changed the text's length), search the whole text.
        self.at = at
        self.low = low  # text.lower() when `at` is known (same offsets), for matchers to share

    @property
    def full(self) -> set[str]:
        if self._full is None:
            self._full = set(word_starts(self._text))
        return self._full

    def cut(self, j: int) -> set[str]:
        if self._cuts is None:
            self._cuts = {}
        found = self._cuts.get(j)
        if found is None:
            found = self._cuts[j] = {w[:j] for w in self.full}
        return found


def text_keys(text: str) -> TextKeys:
    return TextKeys(text)


_NONE: dict[int, list[int]] = {}  # no candidates (never written to)


class Gate:
    """Maps a text's keys to the indices of the regexes that could match in it."""

    def __init__(self, patterns: list[str], flags: int = re.IGNORECASE):
        always = set()
        # by_len[j]: prefix of length j -> regexes (shorter than K: anything may follow)
        by_len: list[dict[str, set[int]]] = [{} for _ in range(K + 1)]
        for i, pattern in enumerate(patterns):
            found = prefixes(pattern, flags)
            if found is None:
                always.add(i)
                continue
            for p in found:
                by_len[len(p)].setdefault(p, set()).add(i)
        self.size = len(patterns)
        self.always = frozenset(always)
        self.full = by_len[K]
        self.full_keys = self.full.keys()
        # Prefixes shorter than K (the match can end early), by length.
        self.short = [(j, by_len[j], by_len[j].keys()) for j in range(1, K) if by_len[j]]

    def window_candidates(self, window: str) -> set[int]:
        """The regexes one window could start (what `candidates` unions over a text's windows)."""
        out = set(self.full.get(window, ()))
        for j, d, _ in self.short:
            out |= d.get(window[:j], set())
        return out

    def positions(self, keys: TextKeys) -> dict[int, list[int]] | None:
        """Candidate -> the word starts it could match at, when `keys` came from a
        GateIndex holding this gate and the offsets are known; else None."""
        at = keys.at
        if at is None:
            return None
        slot = keys.index.slot_of.get(self)
        if slot is None:
            return None
        return at.get(slot, _NONE)

    def candidates(self, keys: TextKeys) -> set[int]:
        index = keys.index
        if index is not None:
            slot = index.slots.get(id(self))
            if slot is not None:
                return set(keys.found.get(slot, ())) | index.always_by_slot.get(slot, set())
        out = set(self.always)
        full = self.full
        for key in self.full_keys & keys.full:
            out |= full[key]
        for j, d, dkeys in self.short:
            for key in dkeys & keys.cut(j):
                out |= d[key]
        return out


class GateIndex:
    """Several gates answered together: each distinct window's candidates over all the
    gates (numbered one after another) are worked out once and remembered, and so are the
    word starts in each distinct run of non-spaces with their windows' candidates, so a
    text costs one dict lookup per run (plus one per window running on past a run's end)
    instead of set work per window per gate.
    `keys(text)` gives TextKeys that every member gate reads its candidates from
    (the same answers as `Gate.candidates` on plain keys)."""

    MEMO_LIMIT = 500_000  # distinct windows remembered (K characters: a bounded set in practice)
    RUN_LIMIT = 200_000  # distinct runs of non-spaces remembered (words, handles, links)

    def __init__(self, gates):
        self.slots: dict[int, int] = {}  # id(gate) -> its slot
        self.slot_of: dict[Gate, int] = {}  # the same, keyed by the gate (identity)
        self._gates: list[tuple[Gate, int]] = []  # (gate, number of its first regex)
        self._owner: list[tuple[int, int]] = []  # global number -> (slot, the gate's index)
        always: set[int] = set()
        for g in gates:
            if g is None or id(g) in self.slots:
                continue
            slot, offset = len(self._gates), len(self._owner)
            self.slots[id(g)] = slot
            self.slot_of[g] = slot
            self._gates.append((g, offset))
            self._owner.extend((slot, i) for i in range(g.size))
            always.update(offset + i for i in g.always)
        self.always = frozenset(always)
        self.always_by_slot: dict[int, set[int]] = {}
        for n in always:
            slot, i = self._owner[n]
            self.always_by_slot.setdefault(slot, set()).add(i)
        self._memo: dict[str, tuple[tuple[int, tuple[int, ...]], ...]] = {}  # window -> _window
        # The remembered windows that start no regex: one set difference drops them from a
        # text's windows before the per-window loop (most windows start nothing).
        self._idle: set[str] = set()
        self._runs: dict[str, _Run] = {}  # run of non-spaces (lowered) -> _run
        # Every gate's prefixes, and those cut where a space follows in them: what tells
        # whether a window that runs on past a run's end could start anything.
        self._heads: set[str] = set()
        for g, _ in self._gates:
            self._heads.update(g.full_keys, *(keys for _, _, keys in g.short))
        self._spaced = {p[:i] for p in self._heads for i in range(1, len(p)) if p[i].isspace()}

    def _window(self, window: str) -> tuple[tuple[int, tuple[int, ...]], ...]:
        """((gate slot, its regexes), ...) one window could start."""
        out = []
        for slot, (g, _) in enumerate(self._gates):
            found = g.window_candidates(window)
            if found:
                out.append((slot, tuple(sorted(found))))
        return tuple(out)

    def _remember(self, window: str) -> tuple[tuple[int, tuple[int, ...]], ...]:
        """`_window` of a raw (lowered) window, remembered under it."""
        memo = self._memo
        if len(memo) >= self.MEMO_LIMIT:
            memo.clear()
            self._idle.clear()
        plain = window.translate(_DIGITS)  # "#123" answers as "#000"
        found = memo.get(plain)
        if found is None:
            found = memo[plain] = self._window(plain)
        memo[window] = found
        if not found:
            self._idle.add(window)
        return found

    def _run(self, run: str) -> _Run:
        """A run of non-spaces' word starts that could start a regex, remembered:
        (offset, candidates) where the window lies inside the run, (offset, None) where
        it runs on past the run's end (into the spaces and the next run: read per text)."""
        runs = self._runs
        if len(runs) >= self.RUN_LIMIT:
            runs.clear()
        # Digits are all "0" to the gates and all word characters, so "#123" has the word
        # starts and the candidates of "#000".
        plain = run.translate(_DIGITS)
        found = runs.get(plain)
        if found is None:
            found = runs[plain] = self._plain_run(plain)
        runs[run] = found
        return found

    def _plain_run(self, run: str) -> _Run:
        memo = self._memo
        out = []
        n = len(run)
        for m in _WORD_START.finditer(run):  # the run's first character is one (a space before)
            r = m.start()
            if r + K > n:
                if self._may_run_on(run[r:]):
                    out.append((r, None))
                continue
            window = run[r:r + K]
            found = memo.get(window)
            if found is None:
                found = self._remember(window)
            if found:
                out.append((r, found))
        return tuple(out)

    def _may_run_on(self, head: str) -> bool:
        """Whether a window that is `head`, then a space or the text's end, can start a regex:
        what `Gate.window_candidates` needs, a prefix that `head` begins with, or one that
        begins with `head` and then a space."""
        heads = self._heads
        return head in self._spaced or any(head[:j] in heads for j in range(1, len(head) + 1))

    def keys(self, text: str) -> TextKeys:
        low = text.lower()  # digits untranslated: the memos map raw windows and runs
        if len(low) != len(text) or self.always:
            # Offsets in the lowered text are not the text's own: candidates only.
            return TextKeys(text, self, self._searched(low), None)
        memo, runs = self._memo, self._runs
        # gate slot -> {regex -> the word starts whose window it could begin}, ascending
        hits: dict[int, dict[int, list[int]]] = {}
        # str.split() and re's \s agree on what a space is (Py_UNICODE_ISSPACE): every word
        # start is in a run, at the run's first character or after a non-word character.
        words = low.split()
        # One space between runs and none before the first (the common case): each run
        # starts one after the last. Else find it: with no spaces in it, first found where it is.
        single = sum(map(len, words)) + len(words) - 1 == len(low.rstrip())
        find = low.find
        q = 0  # where the next run starts, or the earliest it can
        for run in words:
            if not single:
                q = find(run, q)
            found_in = runs.get(run)
            if found_in is None:
                found_in = self._run(run)
            for r, found in found_in:
                if found is None:  # the window runs on past the run: read it from the text
                    window = low[q + r:q + r + K]
                    found = memo.get(window)
                    if found is None:
                        found = self._remember(window)
                    if not found:
                        continue
                starts = [q + r]  # shared by the window's regexes: never changed in place
                for slot, regexes in found:
                    bucket = hits.get(slot)
                    if bucket is None:
                        hits[slot] = dict.fromkeys(regexes, starts)
                        continue
                    for i in regexes:  # (starts of other windows: all earlier)
                        where = bucket.get(i)
                        bucket[i] = starts if where is None else where + starts
            q += len(run) + 1
        return TextKeys(text, self, hits, hits, low)

    def _searched(self, low: str) -> dict[int, dict[int, list[int]]]:
        """gate slot -> {regex -> _UNKNOWN} for the regexes some window of `low` could start."""
        memo = self._memo
        hits: dict[int, dict[int, list[int]]] = {}
        busy = set(_STARTS.findall(low)) - self._idle
        for w, found in zip(busy, map(memo.get, busy), strict=True):
            if found is None:
                found = self._remember(w)
            for slot, regexes in found:
                hits.setdefault(slot, {}).update(dict.fromkeys(regexes, _UNKNOWN))
        return hits


class GatedAlternation:
    """`template.format(body=alternation of pieces)`, run only over the pieces a text
    could match (same order, so the same matches as the full alternation)."""

    def __init__(self, pieces: list[str], template: str, flags: int = re.IGNORECASE,
                 cache_size: int = 2048):
        self.pieces = list(pieces)
        self.template = template
        self.flags = flags
        self.gate = Gate(self.pieces, flags)
        self.full = re.compile(template.format(body="|".join(self.pieces)), flags)
        # One pattern per piece: an alternation tries its branches in order at a position,
        # each with all its backtracking, so trying these in order finds the same match.
        self._one = [re.compile(template.format(body=piece), flags) for piece in self.pieces]
        self._compiled: dict[tuple[int, ...], re.Pattern[str]] = {}
        self._cache_size = cache_size

    def finditer(self, text: str, keys: TextKeys | None = None):
        at = None
        if keys is not None and keys.at is not None:  # self.gate.positions(keys), inlined
            slot = keys.index.slot_of.get(self.gate)
            if slot is not None:
                at = keys.at.get(slot)
                if at is None:
                    return ()
        if at is not None:
            return self._matches_at(text, at) if at else ()
        found = self.gate.candidates(keys if keys is not None else text_keys(text))
        if not found:
            return iter(())
        return self._alternation(tuple(sorted(found))).finditer(text)

    def _alternation(self, key: tuple[int, ...]) -> re.Pattern[str]:
        """The template over the pieces numbered `key` (ascending), compiled once."""
        pattern = self._compiled.get(key)
        if pattern is None:
            if len(self._compiled) >= self._cache_size:
                self._compiled.clear()
            body = "|".join(self.pieces[i] for i in key)
            pattern = self._compiled[key] = re.compile(self.template.format(body=body), self.flags)
        return pattern

    def _matches_at(self, text: str, at: dict[int, list[int]]) -> list[re.Match[str]]:
        """What the alternation's finditer gives when piece i can only begin at at[i]:
        at each start, ascending, the first piece in order that matches there; starts
        inside a match are skipped. A match is never empty (a piece that could match
        empty has no prefixes, so its gate is always-on and positions are never used),
        so once one is found at q the other pieces at q are skipped too."""
        one = self._one
        if len(at) == 1:  # the common case: one piece, usually at one start
            ((i, starts),) = at.items()
            if len(starts) == 1:
                m = one[i].match(text, starts[0])
                return [] if m is None else [m]
        else:
            # Several pieces from one window ("brent" could start three hashtags): they
            # share one list of starts. At a single start, the alternation of just those
            # pieces (in order) finds what trying them one by one finds, in one call.
            shared = None
            for starts in at.values():
                if shared is None:
                    shared = starts
                elif starts is not shared:
                    break
            else:
                if len(shared) == 1:
                    m = self._alternation(tuple(sorted(at))).match(text, shared[0])
                    return [] if m is None else [m]
        out = []
        end = 0
        for q, i in sorted([(q, i) for i, starts in at.items() for q in starts]):
            if q >= end:
                m = one[i].match(text, q)
                if m is not None:
                    end = m.end()
                    out.append(m)
        return out
