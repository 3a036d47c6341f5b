"""The local answer scorer: grades one spoken answer against its question's rubric, offline.

``LocalScorer(bank).score(question_id, answer)`` returns a ``ScoreResult`` in tens of
milliseconds on the CPU (see ``tests/test_scorer.py`` for a benchmark print). Pure and
synchronous; it never logs or stores the answer.

How a criterion is scored (0-4, on its anchors):

1. The transcript is cut into sentences (at punctuation, and at discourse markers or pauses
   when the recogniser left none) and each word gets its time from ``answer.words``.
2. Every concept phrase of the question's criteria is looked for in each sentence: exactly
   as ``Concept.matches`` does (start at a word boundary, may end mid-word), then tolerant of
   speech-recognition errors: spacing and hyphens ("x g boost", "re rank"), a coarse phonetic
   key ("caymines plus plus" for "k means plus plus") and one edit ("silhouete").
3. Each sentence gets a *substance* weight in [0, 1]: long enough, built like a sentence
   (function words, a verb), not a list of rubric terms. A concept's credit is the best
   substance of a sentence that mentions it, shared out when one sentence touches many
   criteria. Keyword lists therefore earn (almost) nothing.
4. *Depth* of a criterion's evidence: an explanation or condition ("because", "so that",
   "if"), a number, and elaboration over more than one sentence.
5. The level climbs an anchor-shaped ladder: 1 = a mention, 2 = one concept said in a real
   sentence, 3 = two concepts with a reason or a number, 4 = three concepts with depth.
   An optional sentence embedder adds credit for paraphrases the phrase lists miss.
6. Caps: short answers, "opens with the data" said after the model, offline-only metrics
   for the online-metric criterion, and text addressed to the grader (noted, and every
   criterion capped at 1: the answer is data, never instructions).

``overall`` is the weighted mean of criterion scores on 0-100. Failure modes are named when
the criteria that link to them score low. The summary, improvements and ``missing`` lines are
built from the bank's own texts (anchors, ``missing``, the guide's fixes), made specific with
the concepts the answer did and did not cover.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from interviewer.bank import Bank, Criterion, Question, normalise_transcript
from interviewer.embeddings import Embedder
from interviewer.result import (
    SCORE_MAX,
    AnswerTranscript,
    CriterionScore,
    Evidence,
    FailureModeHit,
    ScoreResult,
)

__all__ = ["LocalScorer"]

# --------------------------------------------------------------------------- word lists


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FILLERS = _words("um umm uh uhh uhm erm er ah ahh hmm mm mhm eh okay ok yeah yep alright")
"""Dropped when measuring substance (kept in quotes, which are verbatim)."""

FUNCTION_WORDS = _words(
    """a an the this that these those it its it's i i'd i'll i'm i've me my mine we we'd we'll
    we're we've us our you you'd you'll you're your they they'd they'll they're them their he
    she his her him which who whom whose what when where why how there here is are was were
    be been being am do does did doing done have has had having would will can could should
    shall may might must of to in on at by for with from into onto over under about after
    before between through during without within against among per as than then so and or
    but if because while since until unless though although whether not no nor also just
    only very really too more most less much many some any each every all both either other
    another such same up down out off again once there's that's what's let's don't doesn't
    didn't can't won't isn't aren't wasn't weren't wouldn't shouldn't couldn't it'll
    that'll"""
)

VERBS = _words(
    """is are was were be been being am do does did have has had would will can could should
    might must need needs needed use uses used using build builds built compute computes
    computed train trains trained check checks checked add adds added run runs ran make makes
    made get gets got take takes took keep keeps kept pick picks picked choose chose chosen
    split splits log logs logged store stores stored serve serves served predict predicts
    predicted deploy deployed ship shipped launch launched measure measured compare compared
    find found see saw look looked start started stop stops stopped handle handles handled
    call calls called return returns returned assign assigns assigned update updates updated
    move moves moved want wanted go goes went think thought know knew say said give gives
    gave put set fix fixes fixed break breaks broke happen happens happened cause causes
    caused mean means meant try tried turn turned join joined sample sampled drop dropped
    write wrote written read reads test tested catch caught detect detected alert alerted
    wait waited rank ranks ranked score scores scored retrain retrained initialise initialize
    initialised initialized converge converges converged learn learned learnt decide decided
    went come came show showed shows become became helps helped work works worked let lets
    page pages paged roll rolls rolled watch watches watched cache caches cached shard sharded
    embed embedded filter filters filtered merge merged sort sorted clip clipped scale scaled
    normalise normalize normalised normalized aggregate aggregated precompute precomputed
    fetch fetched query queried feed feeds push pushed pull pulled flag flagged block blocked
    annotate annotated review reviewed evaluate evaluated validate validated tune tuned replay
    replayed reproduce reproduced isolate isolated ramp ramped route routed send sent receive
    received estimate estimated pay paid cost costs lose lost avoid avoided reduce reduced cut
    increase increased decrease decreased improve improved drops rises rose fall fell fails
    failed fire fired dig dug trace traced noticed notice realise realised realize realized
    i'd we'd i'll we'll it'll i'm we're i've we've it's that's"""
)

EXPLAIN = (
    "because",
    "since",
    "so that",
    "which means",
    "that means",
    "meaning",
    "therefore",
    "otherwise",
    "in order to",
    "to avoid",
    "to make sure",
    "to prevent",
    "which is why",
    "that's why",
    "that is why",
    "the reason",
    "due to",
    "as a result",
    "caused by",
    "that way",
    "this way",
    "which gives",
    "which would",
    "which meant",
    "so that it",
    "to catch",
    "to detect",
    "to reduce",
    "to keep",
)
CONDITION = (
    "if",
    "unless",
    "when",
    "whenever",
    "but",
    "however",
    "instead of",
    "rather than",
    "whereas",
    "versus",
    "vs",
    "trade off",
    "trade-off",
    "tradeoff",
    "except",
    "for example",
    "for instance",
    "such as",
)
NUMBER_WORDS = _words(
    """two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty
    fifty sixty seventy eighty ninety hundred thousand million billion trillion half percent
    twice"""
)
DISCOURSE_BREAKS = _words("so then next now okay ok alright um uh and")
"""Where a long unpunctuated stretch may be cut into sentences."""

_EXPLAIN_RE = re.compile(
    r"(?<![a-z0-9'])(?:" + "|".join(map(re.escape, EXPLAIN)) + r")(?![a-z0-9])"
)
_SO_RE = re.compile(r"(?<![a-z0-9'])so (?:we|i|it|the|you|they|that|this)\b")
_CONDITION_RE = re.compile(
    r"(?<![a-z0-9'])(?:" + "|".join(map(re.escape, CONDITION)) + r")(?![a-z0-9])"
)

# Text addressed to the grader. The answer is data: these never steer the score. Each form
# names the grader, the grade or this answer, so that "we give the top item the highest
# score" or "you should give the model more data" stay ordinary answers.
_ME = r"(?:me|us|this\ answer|my\ answer|this\ response|my\ response|the\ candidate|this)"
_INJECTION_RE = re.compile(
    rf"""(
      \b(?:ignore|disregard|forget|override|bypass)\b[^.?!]{{0,30}}
          \b(?:rubric|instructions|grading|scoring|marking|criteria|system\ prompt|prompt)\b
    | \b(?:give|award|assign|grant)\ {_ME}\b[^.?!]{{0,20}}
          \b(?:full|maximum|max|perfect|top|highest)\ (?:marks?|score|points|credit|rating|grade)
    | \b(?:score|grade|rate|mark)\ {_ME}\ (?:as\ |at\ |with\ )?(?:an?\ )?
          (?:perfect\ |full\ |maximum\ |top\ )?(?:100|hundred|ten|10|4|four|five|5|perfect|full)\b
    | \bas\ (?:the|an|a|my)\ (?:grader|evaluator|scorer|assessor|examiner|marker
          |ai|language\ model|llm)\b
    | \b(?:grader|evaluator|scorer|assessor|examiner|marker)\b[^.?!]{{0,20}}
          \b(?:must|should|will|has\ to|have\ to|needs?\ to)\b[^.?!]{{0,20}}
          \b(?:score|grade|rate|mark|pass|give|award)\b
    | \byou\ (?:must|should|have\ to|need\ to)\ (?:score|grade|rate|mark|award|give|pass)
          \ (?:me|us|this\ answer|my\ answer|this\ response|the\ candidate)\b
    | \b(?:this|my)\ (?:answer|response)\b[^.?!]{{0,20}}
          \b(?:deserves|should\ (?:get|receive|score)|meets\ all|is\ perfect|gets?\ full)\b
    | \bsystem\ prompt\b | \bprompt\ injection\b | \bfull\ marks\b
    )""",
    re.VERBOSE,
)

# Criteria whose top levels need one particular concept (the rest of the rubric is generic).
REQUIRED_CONCEPT: Mapping[str, tuple[str, int]] = {
    # anchor 0: "only an offline metric (AUC, accuracy)": a lift in AUC is not an online metric.
    "beh_online_metric": ("online metric", 1),
}
"""Criterion id -> (concept name, cap when that concept is not covered)."""

OPENING_CRITERIA: Mapping[str, float] = {
    "sd_data_first": 0.45,  # "Opens with the data ... before any model talk"
    "code_clarifies_approach": 0.4,  # "... states the approach first"
}
"""Criterion id -> share of the answer its first evidence must fall within (else cap 2)."""

# Semantic similarity (cosine, MiniLM) mapped to credit: below SEM_LOW nothing, SEM_HIGH full.
SEM_LOW = 0.45
SEM_HIGH = 0.70
SEM_WEIGHT = 0.6
"""Concept-equivalents a fully similar sentence adds to a criterion's coverage."""

MENTION_MIN = 0.2
"""Concept credit needed for level 1 ("mentions it in passing")."""
MENTION_CREDIT = 0.4
"""Concept credit below this is only a mention: enough for level 1, never for coverage."""
LIST_FACTOR = 0.5
"""Credit multiplier for a concept said inside a list of rubric terms."""
DEPTH_BONUS = 0.75
"""Concept-equivalents that full depth (a reason, a number, several sentences) adds at 3."""
MODEL_TALK_CRITERION = "sd_model_choice"
MIN_WORDS_FOR_FAILURE_MODES = 12

_LETTER_NAMES = """ay bee see dee ee ef jee aych eye jay kay el em en oh pee cue ar es tee you
    vee doubleyou ex why zee"""
_LETTERS = dict(zip("abcdefghijklmnopqrstuvwxyz", _LETTER_NAMES.split(), strict=True))
"""How a letter said on its own sounds ("k means" is said "kay means")."""
_HOMOPHONES = {
    "to": "two",
    "too": "two",
    "2": "two",
    "for": "four",
    "4": "four",
    "won": "one",
    "1": "one",
    "ate": "eight",
    "8": "eight",
    "wait": "weight",
    "waits": "weights",
    "right": "write",
    "there": "their",
    "theyre": "their",
}

_CONF_EXACT = 1.0
_CONF_SPACING = 1.0
_CONF_PHONETIC = 0.85
_CONF_EDIT = 0.8

# --------------------------------------------------------------------------- text units


@dataclass
class _Token:
    start: int  # character span in answer.text
    end: int
    norm: str  # as normalise_transcript, edge punctuation stripped
    filler: bool
    start_ms: int = 0
    end_ms: int = 0


@dataclass
class _Sentence:
    index: int
    first: int  # token indices [first, last)
    last: int
    content: int = 0  # non-filler tokens
    substance: float = 0.0
    explains: bool = False
    conditions: bool = False
    numbers: int = 0
    injection: bool = False
    duplicate: bool = False
    list_like: bool = False
    criteria_touched: set[str] = field(default_factory=set)
    terms: int = 0  # separate rubric terms said (overlapping matches merged)
    keyword_tokens: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _Match:
    criterion: str
    concept: int
    sentence: int
    first: int  # token span of the match
    last: int
    confidence: float


_TOKEN_RE = re.compile(r"\S+")
_EDGE_PUNCT = "\"'“”‘’()[]{}<>,.;:!?…*–—"
_SENTENCE_END_RE = re.compile(r"[.?!;…]+[\"')\]]*$")


def _norm_token(raw: str) -> str:
    norm = normalise_transcript(raw).strip(_EDGE_PUNCT)
    return norm.strip()


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for m in _TOKEN_RE.finditer(text):
        norm = _norm_token(m.group())
        if not norm:
            continue
        tokens.append(_Token(m.start(), m.end(), norm, norm.replace("'", "") in FILLERS))
    return tokens


def _align_times(tokens: list[_Token], answer: AnswerTranscript) -> None:
    """Give each token its time from ``answer.words`` (aligned by text; gaps interpolated)."""
    if not answer.words or not tokens:
        return
    word_norms = [_norm_token(w.text) for w in answer.words]
    token_norms = [t.norm for t in tokens]
    matcher = difflib.SequenceMatcher(None, token_norms, word_norms, autojunk=False)
    assigned: list[tuple[int, int] | None] = [None] * len(tokens)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            w = answer.words[block.b + k]
            assigned[block.a + k] = (w.start_ms, w.end_ms)
    known = [i for i, a in enumerate(assigned) if a is not None]
    if not known:  # the text and the words disagree entirely: spread the words' time span
        begin, end = answer.words[0].start_ms, answer.words[-1].end_ms
        step = (end - begin) / max(len(tokens), 1)
        for i, t in enumerate(tokens):
            t.start_ms, t.end_ms = int(begin + i * step), int(begin + (i + 1) * step)
        return
    for i, t in enumerate(tokens):
        a = assigned[i]
        if a is None:
            j = bisect_right(known, i)
            prev = assigned[known[j - 1]] if j > 0 else None
            nxt = assigned[known[j]] if j < len(known) else None
            start = prev[1] if prev else (nxt[0] if nxt else 0)
            end = nxt[0] if nxt else (prev[1] if prev else 0)
            a = (start, max(start, end))
        t.start_ms, t.end_ms = a


def _split_sentences(text: str, tokens: list[_Token], max_len: int = 40) -> list[_Sentence]:
    """Sentences at punctuation and line breaks; long stretches cut at discourse markers."""
    spans: list[tuple[int, int]] = []
    first = 0
    for i, t in enumerate(tokens):
        raw = text[t.start : t.end]
        next_break = i + 1 < len(tokens) and "\n" in text[t.end : tokens[i + 1].start]
        if _SENTENCE_END_RE.search(raw) or next_break or i == len(tokens) - 1:
            spans.append((first, i + 1))
            first = i + 1
    out: list[tuple[int, int]] = []
    for a, b in spans:
        while b - a > max_len:
            cut = _best_cut(tokens, a, b, max_len)
            out.append((a, cut))
            a = cut
        out.append((a, b))
    return [_Sentence(k, a, b) for k, (a, b) in enumerate(out) if b > a]


def _best_cut(tokens: list[_Token], a: int, b: int, max_len: int) -> int:
    """Where to cut an over-long stretch: at a pause, a comma or a discourse marker, leaving
    at least 8 words on each side; the middle if there is none."""
    best, best_score = a + min(max_len, (b - a) // 2), 0.0
    for i in range(a + 8, min(b - 8, a + max_len) + 1):
        score = 0.0
        if tokens[i].norm in DISCOURSE_BREAKS:
            score += 1.0
        if tokens[i].start_ms - tokens[i - 1].end_ms >= 400:
            score += 1.5
        if tokens[i - 1].norm.endswith(",") or tokens[i].norm in ("so", "then"):
            score += 0.5
        if score == 0.0:
            continue
        score += (i - a) / (4 * max_len)  # prefer longer pieces on ties
        if score > best_score:
            best, best_score = i, score
    return best


# --------------------------------------------------------------------------- phrase keys


def _compact(s: str) -> str:
    """Letters and digits only, "+" spoken as "plus": "k-means++" -> "kmeansplusplus"."""
    return re.sub(r"[^a-z0-9]", "", s.replace("+", "plus"))


@lru_cache(maxsize=8192)
def _phonetic_word(word: str) -> str:
    """A coarse sound key for one word: "caymines" and "kay means" both give "kamans"."""
    word = _HOMOPHONES.get(word, word)
    if len(word) == 1 and word.isalpha():
        word = _LETTERS[word]
    if word.isdigit():
        return word
    s = word
    for a, b in (("tion", "shan"), ("sion", "shan"), ("ph", "f"), ("ck", "k"), ("qu", "kw")):
        s = s.replace(a, b)
    if s.startswith(("kn", "wr", "ps")):
        s = s[1:]
    if s.startswith("x"):
        s = "z" + s[1:]
    s = s.replace("x", "ks").replace("q", "k").replace("z", "s").replace("wh", "w")
    s = re.sub(r"c(?=[eiy])", "s", s).replace("c", "k").replace("dg", "j")
    if len(s) > 3:
        s = re.sub(r"(?<=[^aeiou])e([sd]?)$", r"\1", s)  # silent e: "mines" -> "mins"
    s = s[0] + s[1:].replace("y", "i") if s else s
    s = re.sub(r"[aeiou]+", "a", s)
    return re.sub(r"(.)\1+", r"\1", s)


def _phonetic(words: Sequence[str]) -> str:
    return "".join(_phonetic_word(w) for w in words if w)


def _deletes(s: str) -> set[str]:
    return {s} | {s[:i] + s[i + 1 :] for i in range(len(s))}


@dataclass(frozen=True)
class _PhraseKey:
    criterion: str
    concept: int
    phrase: str
    pattern: re.Pattern[str]
    compact: str
    phonetic: str


@dataclass(frozen=True)
class _QuestionKeys:
    question: Question
    criteria: tuple[Criterion, ...]
    phrases: tuple[_PhraseKey, ...]
    model_words: tuple[re.Pattern[str], ...]


def _phrase_words(phrase: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9+']+", phrase.replace("+", " + ")) if w]


def _build_keys(bank: Bank, question: Question) -> _QuestionKeys:
    criteria = tuple(bank.criteria_for(question))
    phrases: list[_PhraseKey] = []
    for c in criteria:
        for ci, concept in enumerate(c.concepts):
            for p in concept.phrases:
                words = [_compact(w) for w in _phrase_words(p)]
                phrases.append(
                    _PhraseKey(
                        c.id,
                        ci,
                        p,
                        re.compile(r"(?<![a-z0-9])" + re.escape(p)),
                        _compact(p),
                        _phonetic(words),
                    )
                )
    for c in criteria:
        for ci, concept in enumerate(c.concepts):
            extra = PATTERN_CONCEPTS.get((c.id, concept.name))
            if extra is not None:
                phrases.append(_PhraseKey(c.id, ci, concept.name, extra, "", ""))
    model_words: list[re.Pattern[str]] = []
    try:
        model_c = bank.criterion(MODEL_TALK_CRITERION)
        named = next(k for k in model_c.concepts if k.name == "named model")
        model_words = [re.compile(r"(?<![a-z0-9])" + re.escape(p)) for p in named.phrases]
    except (KeyError, StopIteration):
        pass
    return _QuestionKeys(question, criteria, tuple(phrases), tuple(model_words))


def _bank_vocabulary(bank: Bank) -> frozenset[str]:
    """Every word the bank uses: real words, as opposed to likely misrecognitions."""
    texts: list[str] = []
    for c in bank.criteria:
        texts += [c.name, c.description, c.probe, c.missing, *c.anchors]
        texts += [p for k in c.concepts for p in (k.name, *k.phrases)]
    for q in bank.all_questions:
        texts += [
            q.prompt,
            *q.vocabulary,
            *(f.answer for f in q.facts),
            *(p.text for p in q.probes),
        ]
        texts += [k for f in q.facts for k in f.keywords]
    for f in bank.failure_modes:
        texts += [f.name, f.guide_text, f.fix]
    words = {w for t in texts for w in re.findall(r"[a-z0-9]+", t.lower())}
    common = FUNCTION_WORDS | VERBS | NUMBER_WORDS | FILLERS
    return frozenset(words | common | {_compact(w) for w in common})


# --------------------------------------------------------------------------- the answer


@dataclass
class _Analysis:
    text: str
    tokens: list[_Token]
    sentences: list[_Sentence]
    matches: list[_Match]
    content_words: int
    injection: bool
    keyword_list: bool
    repetitive: bool


class _Index:
    """Strings of the answer's tokens (normalised, compact, phonetic) with token offsets."""

    def __init__(self, tokens: list[_Token], sentences: list[_Sentence], kind: str) -> None:
        parts: list[str] = []
        self.starts: list[int] = []
        self.token_of_start: list[int] = []
        self.ends: dict[int, int] = {}  # token index -> end offset
        pos = 0
        sep = " | " if kind == "norm" else "|"
        for s in sentences:
            for i in range(s.first, s.last):
                t = tokens[i]
                if kind == "norm":
                    piece = t.norm + " "
                elif kind == "compact":
                    piece = _compact(t.norm)
                else:
                    piece = _phonetic([_compact(w) for w in _phrase_words(t.norm)])
                self.starts.append(pos)
                self.token_of_start.append(i)
                parts.append(piece)
                pos += len(piece)
                self.ends[i] = pos
            parts.append(sep)
            pos += len(sep)
        self.text = "".join(parts)
        self.start_set = {p: self.token_of_start[k] for k, p in enumerate(self.starts)}

    def token_at(self, offset: int) -> int:
        k = bisect_right(self.starts, offset) - 1
        return self.token_of_start[max(k, 0)]


def _find_matches(
    keys: _QuestionKeys,
    tokens: list[_Token],
    sentences: list[_Sentence],
    vocabulary: frozenset[str],
) -> list[_Match]:
    """Every concept phrase found in the answer, exact first, then tolerant of ASR errors.

    The tolerant tiers (sound-alike, one edit) only fire where the answer has a word that is
    not in the bank's own vocabulary (a likely misrecognition such as "caymines"), so that
    real words that sound alike ("prediction" and "production") stay apart.
    """
    if not tokens:
        return []
    sentence_of = [0] * len(tokens)
    for s in sentences:
        for i in range(s.first, s.last):
            sentence_of[i] = s.index
    norm = _Index(tokens, sentences, "norm")
    compact = _Index(tokens, sentences, "compact")
    phon = _Index(tokens, sentences, "phonetic")
    found: dict[tuple[str, int, int, int], _Match] = {}

    def add(pk: _PhraseKey, first: int, last: int, conf: float) -> None:
        if _shadowed(pk.phrase, tokens, first, last):
            return
        if conf < _CONF_SPACING:
            unknown = any(_compact(t.norm) not in vocabulary for t in tokens[first:last])
            if not unknown:
                return
        sent = sentence_of[first]
        last = max(first + 1, min(last, sentences[sent].last))
        key = (pk.criterion, pk.concept, sent, first)
        old = found.get(key)
        if old is None or old.confidence < conf:
            found[key] = _Match(pk.criterion, pk.concept, sent, first, last, conf)

    exact_hits: set[tuple[str, int, int]] = set()
    for pk in keys.phrases:
        for m in pk.pattern.finditer(norm.text):
            first = norm.token_at(m.start())
            last = norm.token_at(max(m.end() - 1, m.start())) + 1
            add(pk, first, last, _CONF_EXACT)
            exact_hits.add((pk.criterion, pk.concept, sentence_of[first]))
        if len(pk.compact) >= 4:
            _find_at_starts(compact, pk.compact, lambda f, la, pk=pk: add(pk, f, la, _CONF_SPACING))
        if len(pk.compact) >= 6 and len(pk.phonetic) >= 5:
            _find_at_starts(
                phon, pk.phonetic, lambda f, la, pk=pk: add(pk, f, la, _CONF_PHONETIC), slack=2
            )
    _find_near_misses(keys, tokens, sentences, vocabulary, add)
    return sorted(found.values(), key=lambda m: (m.sentence, m.first))


_FIRST_PERSON_ACTION = re.compile(
    r"(?<![a-z0-9'])i (?:also |then |personally |first |later |quickly |finally )?"
    r"(?!needed|wanted|liked|loved|hoped|believed|guessed|assumed|supposed|remembered|seemed"
    r"|felt|heard|used to|learned|learnt|helped|worked|contributed|participated|assisted"
    r"|supported|joined|tried|was involved)"
    r"(?:[a-z]{2,}ed|built|wrote|ran|set|took|led|made|found|dug|put|chose|cut|drove|split"
    r"|rebuilt|rewrote|reran|sent|spent|brought|got|kept|began|gave|told|taught|sat)(?![a-z])"
)
PATTERN_CONCEPTS: Mapping[tuple[str, str], re.Pattern[str]] = {
    ("beh_ownership", "first person"): _FIRST_PERSON_ACTION,
    ("star_action", "first-person steps"): _FIRST_PERSON_ACTION,
}
"""(criterion id, concept name) -> a pattern that also counts as saying that concept: the
first-person concepts list a few verbs ("i built", "i chose"), but any "I <did something>"
is a first-person action."""

_SHADOWS: Mapping[str, frozenset[str]] = {
    "regression": _words("logistic linear ridge lasso polynomial poisson quantile"),
}
"""Phrase -> previous words that make it a different term ("logistic regression")."""
_SHADOWS_NEXT: Mapping[str, frozenset[str]] = {
    "pick k": _words("random points data centroids initial"),
    "choose k": _words("random points data centroids initial"),
}
"""Phrase -> following words that make it a different statement ("pick k random points")."""


def _shadowed(phrase: str, tokens: list[_Token], first: int, last: int) -> bool:
    before = _SHADOWS.get(phrase)
    if before and first > 0 and tokens[first - 1].norm in before:
        return True
    after = _SHADOWS_NEXT.get(phrase)
    return bool(after and last < len(tokens) and tokens[last].norm in after)


def _find_at_starts(
    index: _Index, key: str, add: Callable[[int, int], None], slack: int | None = None
) -> None:
    """Occurrences of ``key`` that start at a token; with ``slack``, that end near a token end."""
    pos = index.text.find(key)
    while pos != -1:
        first = index.start_set.get(pos)
        if first is not None:
            end = pos + len(key)
            last_tok = index.token_at(end - 1)
            if slack is None or index.ends[last_tok] - end <= slack:
                add(first, last_tok + 1)
        pos = index.text.find(key, pos + 1)


def _find_near_misses(
    keys: _QuestionKeys,
    tokens: list[_Token],
    sentences: list[_Sentence],
    vocabulary: frozenset[str],
    add: Callable[[_PhraseKey, int, int, float], None],
) -> None:
    """Phrases of 7+ letters said with one letter wrong, missing or extra ("silhouete").

    Only windows of up to four words that contain a word outside the vocabulary are tried.
    """
    long_phrases = [pk for pk in keys.phrases if len(pk.compact) >= 7]
    if not long_phrases:
        return
    lengths = {len(pk.compact) for pk in long_phrases}
    compact = [_compact(t.norm) for t in tokens]
    unknown = [bool(c) and c not in vocabulary for c in compact]
    window: dict[str, list[tuple[int, int]]] = {}
    for s in sentences:
        for a in range(s.first, s.last):
            if tokens[a].filler or not any(unknown[a : min(s.last, a + 4)]):
                continue
            w = ""
            for b in range(a, min(s.last, a + 4)):
                w += compact[b]
                if len(w) > 40:
                    break
                if any(abs(len(w) - n) <= 1 for n in lengths) and any(unknown[a : b + 1]):
                    for d in _deletes(w):
                        window.setdefault(d, []).append((a, b + 1))
    for pk in long_phrases:
        spans: set[tuple[int, int]] = set()
        for d in _deletes(pk.compact):
            spans.update(window.get(d, ()))
        for first, last in spans:
            add(pk, first, last, _CONF_EDIT)


# --------------------------------------------------------------------------- substance


def _sentence_features(text: str, tokens: list[_Token], s: _Sentence) -> None:
    words = [t.norm for t in tokens[s.first : s.last] if not t.filler]
    s.content = len(words)
    low = " ".join(words)
    # "so we ..." explains mid-sentence; at the start of a sentence it is only a filler.
    s.explains = bool(_EXPLAIN_RE.search(low) or _SO_RE.search(" ".join(words[2:])))
    s.conditions = bool(_CONDITION_RE.search(low))
    s.numbers = sum(
        1 for w in words if any(ch.isdigit() for ch in w) or w.replace("-", "") in NUMBER_WORDS
    )
    raw = text[tokens[s.first].start : tokens[s.last - 1].end].lower()
    s.injection = bool(_INJECTION_RE.search(" ".join(raw.split())))


def _substance(tokens: list[_Token], s: _Sentence) -> float:
    """How much a sentence looks like explanation rather than a list of terms (0-1).

    Multiplies: length (8+ words), sentence structure (share of function words, a verb),
    and what is left once rubric terms and function words are taken out: a real sentence
    says something about its terms (other nouns, verbs, numbers), a list says nothing.
    """
    if s.injection or s.duplicate or s.content == 0:
        return 0.0
    idx = [i for i in range(s.first, s.last) if not tokens[i].filler]
    words = [tokens[i].norm for i in idx]
    n = len(words)
    length_f = min(1.0, max(0.0, (n - 1) / 5))
    function_ratio = sum(1 for w in words if w in FUNCTION_WORDS) / n
    structure_f = min(1.0, function_ratio / 0.28)
    keyword = sum(
        1
        for i, w in zip(idx, words, strict=True)
        if i in s.keyword_tokens and w not in FUNCTION_WORDS
    )
    has_verb = _has_verb(words, [i in s.keyword_tokens for i in idx])
    verb_f = 1.0 if has_verb else 0.5
    residual = sum(
        1
        for i, w in zip(idx, words, strict=True)
        if i not in s.keyword_tokens and w not in FUNCTION_WORDS
    )
    residual_f = 1.0
    if keyword >= 3 or (keyword == 2 and not has_verb):
        residual_f = min(1.0, max(0.15, (residual / n - 0.04) / 0.16))
    list_f = 1.0
    predicates = _predicates(words, [i in s.keyword_tokens for i in idx])
    if s.terms >= 4 and n / s.terms < 6 and not s.explains and predicates < 2:
        list_f = 0.35  # runs through rubric areas without saying anything about each
    ands = sum(1 for w in words if w in ("and", "or"))
    if keyword >= 2 and ands >= 4 and ands / n > 0.18 and predicates < 3:
        list_f *= 0.3  # "the X and the Y and the Z and ...": a list read out as a sentence
    s.list_like = keyword >= 2 and (residual_f < 0.6 or list_f < 1.0)
    return length_f * structure_f * verb_f * residual_f * list_f


_SUBJECTS = _words("i we you they he she it")


def _has_verb(words: list[str], is_keyword: list[bool]) -> bool:
    """A cheap verb test: a known verb, a word after a subject pronoun, or an -ed/-ing word
    that is not itself a rubric term ("monitoring" in a keyword list does not count)."""
    for k, w in enumerate(words):
        if w in VERBS:
            return True
        if k > 0 and words[k - 1] in _SUBJECTS and w not in FUNCTION_WORDS:
            return True
        if not is_keyword[k] and len(w) > 4 and w.endswith(("ed", "ing")):
            return True
    return False


_AUXILIARIES = _words(
    """is are was were be been being am do does did have has had would will can could should
    might must i'd we'd i'll we'll it'll i'm we're i've we've it's that's let lets"""
)
_SUBJECTS_AUX = _SUBJECTS | _words("i'd we'd i'll we'll you'd you'll they'd they'll")


def _predicates(words: list[str], is_keyword: list[bool]) -> int:
    """Roughly how many things the sentence *does* with its terms: main verbs, counted as
    known non-auxiliary verbs or words right after a subject ("I'd cache", "we retrain")."""
    count = 0
    for k, w in enumerate(words):
        after_subject = k > 0 and words[k - 1] in _SUBJECTS_AUX and w not in FUNCTION_WORDS
        if after_subject or (w in VERBS and w not in _AUXILIARIES and not is_keyword[k]):
            count += 1
    return count


def _count_spans(spans: list[tuple[int, int]]) -> int:
    """How many separate stretches of text the (possibly overlapping) spans cover."""
    count, end = 0, -1
    for first, last in sorted(spans):
        if first >= end:
            count += 1
        end = max(end, last)
    return count


def _moving_ttr(words: list[str], window: int = 50) -> float:
    """Moving-average type/token ratio: low when the answer repeats itself."""
    if len(words) < window:
        return len(set(words)) / len(words) if words else 1.0
    ratios = [
        len(set(words[i : i + window])) / window for i in range(0, len(words) - window + 1, 5)
    ]
    return sum(ratios) / len(ratios)


# --------------------------------------------------------------------------- the scorer


@dataclass
class _CriterionEval:
    criterion: Criterion
    credits: list[float]  # per concept, 0-1
    evidence: list[int]  # sentence indices, best first
    depth: int
    semantic: float
    score: int = 0
    content_score: int = 0  # before the cap for text addressed to the grader
    notes: list[str] = field(default_factory=list)


class LocalScorer:
    """Grades answers against the bank's rubric with no network and no language model.

    ``embedder`` (optional, see ``interviewer.embeddings``) adds credit for paraphrases that
    the concept phrase lists miss. ``criterion_weights`` (criterion id -> multiplier, for
    example a profile's ``criterion_weights``) weights the overall score; default 1 each.
    """

    def __init__(
        self,
        bank: Bank,
        *,
        embedder: Embedder | None = None,
        criterion_weights: Mapping[str, float] | None = None,
    ) -> None:
        self.bank = bank
        self.embedder = embedder
        self.criterion_weights = dict(criterion_weights or {})
        self._keys: dict[str, _QuestionKeys] = {}
        self._refs: dict[str, np.ndarray] = {}
        self._vocab: frozenset[str] | None = None

    # ------------------------------------------------------------------ public

    def score(self, question_id: str, answer: AnswerTranscript) -> ScoreResult:
        """Score one answer; ``UnknownIdError`` (a ``KeyError``) for an unknown question."""
        question = self.bank.question(question_id)
        keys = self._keys_for(question)
        analysis = self._analyse(keys, answer)
        evals = [self._evaluate(c, analysis) for c in keys.criteria]
        self._add_semantics(analysis, evals)
        for ev in evals:
            ev.content_score = self._level(ev, analysis, keys)
            ev.score = min(ev.content_score, 1) if analysis.injection else ev.content_score
        criteria = tuple(self._criterion_score(ev, analysis) for ev in evals)
        total_w = sum(self.criterion_weights.get(c.id, 1.0) for c in criteria) or 1.0
        overall = round(
            100
            * sum(self.criterion_weights.get(c.id, 1.0) * c.score for c in criteria)
            / (SCORE_MAX * total_w)
        )
        failure_modes = self._failure_modes(evals, analysis)
        notes = self._notes(analysis)
        return ScoreResult(
            question_id=question.id,
            round=question.round,
            overall=int(overall),
            criteria=criteria,
            summary=self._summary(evals, failure_modes, analysis),
            improvements=self._improvements(evals, failure_modes, analysis, keys),
            failure_modes=tuple(failure_modes),
            engine="local",
            notes=tuple(notes),
        )

    # ------------------------------------------------------------------ analysis

    def _vocabulary(self) -> frozenset[str]:
        if self._vocab is None:
            self._vocab = _bank_vocabulary(self.bank)
        return self._vocab

    def _keys_for(self, question: Question) -> _QuestionKeys:
        keys = self._keys.get(question.id)
        if keys is None:
            keys = self._keys[question.id] = _build_keys(self.bank, question)
        return keys

    def _analyse(self, keys: _QuestionKeys, answer: AnswerTranscript) -> _Analysis:
        text = answer.text
        if not text.strip() and answer.words:
            text = " ".join(w.text.strip() for w in answer.words)
        tokens = _tokenise(text)
        _align_times(tokens, answer)
        sentences = _split_sentences(text, tokens)
        seen: set[str] = set()
        for s in sentences:
            _sentence_features(text, tokens, s)
            key = " ".join(t.norm for t in tokens[s.first : s.last] if not t.filler)
            if s.content >= 4 and key in seen:
                s.duplicate = True
            seen.add(key)
        matches = _find_matches(keys, tokens, sentences, self._vocabulary())
        spans: dict[int, list[tuple[int, int]]] = {}
        for m in matches:
            s = sentences[m.sentence]
            s.criteria_touched.add(m.criterion)
            s.keyword_tokens.update(i for i in range(m.first, m.last) if not tokens[i].filler)
            spans.setdefault(m.sentence, []).append((m.first, m.last))
        for s in sentences:
            s.terms = _count_spans(spans.get(s.index, []))
        content_words = [t.norm for t in tokens if not t.filler]
        ttr = _moving_ttr(content_words)
        repetitive = len(content_words) >= 60 and ttr < 0.42
        for s in sentences:
            s.substance = _substance(tokens, s)
            if repetitive:
                s.substance *= ttr / 0.42
        n_content = len(content_words)
        function_ratio = (
            sum(1 for w in content_words if w in FUNCTION_WORDS) / n_content if n_content else 1.0
        )
        listed = sum(s.content for s in sentences if s.list_like)
        keyword_list = n_content >= 6 and (function_ratio < 0.15 or listed / n_content >= 0.5)
        return _Analysis(
            text=text,
            tokens=tokens,
            sentences=sentences,
            matches=matches,
            content_words=n_content,
            injection=any(s.injection for s in sentences),
            keyword_list=keyword_list,
            repetitive=repetitive,
        )

    def _evaluate(self, criterion: Criterion, a: _Analysis) -> _CriterionEval:
        n = len(criterion.concepts)
        credits = [0.0] * n
        per_sentence: dict[int, float] = {}
        concepts_in: dict[int, set[int]] = {}
        for m in a.matches:
            if m.criterion != criterion.id:
                continue
            concepts_in.setdefault(m.sentence, set()).add(m.concept)
            s = a.sentences[m.sentence]
            share = min(1.0, 3.0 / max(1, len(s.criteria_touched)))
            credit = s.substance * share * m.confidence * (LIST_FACTOR if s.list_like else 1.0)
            if credit > credits[m.concept]:
                credits[m.concept] = credit
            per_sentence[m.sentence] = max(per_sentence.get(m.sentence, 0.0), credit)

        def strength(i: int) -> tuple[float, int, int]:
            s = a.sentences[i]
            return (
                round(per_sentence[i], 1),
                len(concepts_in.get(i, ())),
                int(s.explains or s.conditions) + int(s.numbers > 0),
            )

        evidence = sorted(per_sentence, key=strength, reverse=True)
        region = [i for i in evidence if per_sentence[i] >= 0.3]
        around = {j for i in region for j in (i, i + 1) if j < len(a.sentences)}
        depth = 0
        if any(a.sentences[j].explains or a.sentences[j].conditions for j in around):
            depth += 1
        if any(a.sentences[j].numbers for j in around):
            depth += 1
        if sum(1 for i in region if per_sentence[i] >= 0.5) >= 2:
            depth += 1
        return _CriterionEval(criterion, credits, evidence, depth, 0.0)

    def _add_semantics(self, a: _Analysis, evals: list[_CriterionEval]) -> None:
        """Similarity of substantive sentences to each criterion's description and top anchors."""
        if self.embedder is None:
            return
        usable = [s for s in a.sentences if s.substance >= 0.4]
        if not usable:
            return
        texts = [
            " ".join(t.norm for t in a.tokens[s.first : s.last] if not t.filler) for s in usable
        ]
        vecs = self.embedder.embed(texts)
        weights = np.array([s.substance for s in usable], dtype=np.float32)
        for ev in evals:
            refs = self._criterion_refs(ev.criterion)
            sims = (vecs @ refs.T).max(axis=1) * np.minimum(1.0, weights / 0.8)
            k = int(np.argmax(sims))
            ev.semantic = float(np.clip((sims[k] - SEM_LOW) / (SEM_HIGH - SEM_LOW), 0.0, 1.0))
            if ev.semantic > 0 and usable[k].index not in ev.evidence:
                ev.evidence.append(usable[k].index)

    def _criterion_refs(self, c: Criterion) -> np.ndarray:
        refs = self._refs.get(c.id)
        if refs is None:
            assert self.embedder is not None
            texts = [c.description, c.anchors[3], _strip_as3(c.anchors[4]), c.probe]
            refs = self._refs[c.id] = self.embedder.embed(texts)
        return refs

    # ------------------------------------------------------------------ levels

    def _level(self, ev: _CriterionEval, a: _Analysis, keys: _QuestionKeys) -> int:
        c = ev.criterion
        n = len(c.concepts)
        # Weak mentions (a fragment, a list) show awareness (level 1) but cover nothing.
        covered = sum(min(1.0, x) for x in ev.credits if x >= MENTION_CREDIT)
        covered += SEM_WEIGHT * ev.semantic
        need2, need3 = min(2, n), min(3, n)
        level = 0
        if max(ev.credits, default=0.0) >= MENTION_MIN or covered >= MENTION_MIN:
            level = 1
        if covered >= 0.5:
            level = 2
        # A full explanation (a reason, a number, several sentences) stands in for a
        # missing concept at level 3, since concept phrase lists are never complete.
        bonus = DEPTH_BONUS if ev.depth >= 3 else 0.0
        if covered + bonus >= need2 - 0.3 and ev.depth >= 1 and max(ev.credits, default=0) >= 0.5:
            level = 3
        if covered >= need3 - 0.3 and ev.depth >= 2 and max(ev.credits, default=0) >= 0.6:
            level = 4
        required = REQUIRED_CONCEPT.get(c.id)
        if required is not None:
            idx = next((i for i, k in enumerate(c.concepts) if k.name == required[0]), None)
            if idx is not None and ev.credits[idx] < 0.5 and level > required[1]:
                level = required[1]
                ev.notes.append(f"no {required[0]} named")
        if c.id in OPENING_CRITERIA and level > 2 and not self._opens_with(ev, a, keys):
            level = 2
            ev.notes.append("not at the start of the answer")
        words = a.content_words
        cap = 0 if words == 0 else 1 if words < 15 else 2 if words < 40 else 3 if words < 90 else 4
        return min(level, cap)

    def _opens_with(self, ev: _CriterionEval, a: _Analysis, keys: _QuestionKeys) -> bool:
        """Whether the criterion's first real evidence comes early, and before model talk."""
        own = [
            m.sentence
            for m in a.matches
            if m.criterion == ev.criterion.id and a.sentences[m.sentence].substance >= 0.3
        ]
        if not own:
            return False
        first_sentence = min(own)
        first_token = a.sentences[first_sentence].first
        if first_token > OPENING_CRITERIA[ev.criterion.id] * max(1, len(a.tokens)):
            return False
        if ev.criterion.id == "sd_data_first" and keys.model_words:
            for s in a.sentences[:first_sentence]:
                low = " ".join(t.norm for t in a.tokens[s.first : s.last])
                if any(p.search(low) for p in keys.model_words):
                    return False
        return True

    # ------------------------------------------------------------------ output

    def _criterion_score(self, ev: _CriterionEval, a: _Analysis) -> CriterionScore:
        c = ev.criterion
        evidence: tuple[Evidence, ...] = ()
        if ev.score > 0:
            evidence = tuple(self._quote(a, ev, i) for i in sorted(ev.evidence[:2]))
        return CriterionScore(
            id=c.id,
            name=c.name,
            score=ev.score,
            evidence=evidence,
            missing=self._missing(ev),
        )

    def _quote(
        self, a: _Analysis, ev: _CriterionEval, sentence: int, max_words: int = 28
    ) -> Evidence:
        s = a.sentences[sentence]
        first, last = s.first, s.last
        while first < last - 1 and a.tokens[first].filler:
            first += 1
        if last - first > max_words:
            hits = [
                m.first
                for m in a.matches
                if m.sentence == sentence and m.criterion == ev.criterion.id
            ]
            centre = hits[0] if hits else first
            if centre - first >= max_words - 3:  # else quote from the start of the sentence
                first = max(first, min(centre - max_words // 3, last - max_words))
            last = first + max_words
        quote = a.text[a.tokens[first].start : a.tokens[last - 1].end].strip()
        quote = " ".join(quote.split()).rstrip(",;:")
        return Evidence(
            quote=quote, start_ms=a.tokens[first].start_ms, end_ms=a.tokens[last - 1].end_ms
        )

    def _missing(self, ev: _CriterionEval) -> str | None:
        c = ev.criterion
        if ev.score >= SCORE_MAX:
            return None
        covered = [k.name for k, cr in zip(c.concepts, ev.credits, strict=True) if cr >= 0.5]
        absent = [k.name for k, cr in zip(c.concepts, ev.credits, strict=True) if cr < 0.5]
        if ev.score == 0 or not covered:
            text = c.missing
            if ev.notes:
                text += f" ({'; '.join(ev.notes)})"
            return text
        parts = []
        if absent:
            parts.append(f"Not covered: {'; '.join(absent)} (covered: {'; '.join(covered)}).")
        if ev.notes:
            parts.append(f"Capped: {'; '.join(ev.notes)}.")
        target = 3 if ev.score < 3 else 4
        parts.append(f"For {target}/4: {_next_step(c, ev.score)}")
        return " ".join(parts)

    def _failure_modes(self, evals: list[_CriterionEval], a: _Analysis) -> list[FailureModeHit]:
        if a.content_words < MIN_WORDS_FOR_FAILURE_MODES:
            return []
        linked: dict[str, list[int]] = {}
        for ev in evals:
            if ev.criterion.failure_mode:
                linked.setdefault(ev.criterion.failure_mode, []).append(ev.content_score)
        hits = []
        for fm_id, scores in linked.items():
            low = sum(1 for s in scores if s <= 1)
            if sum(scores) / len(scores) <= 1.25 and low * 2 >= len(scores):
                fm = self.bank.failure_mode(fm_id)
                hits.append(FailureModeHit(id=fm.id, name=fm.name, fix=fm.fix))
        return hits

    def _notes(self, a: _Analysis) -> list[str]:
        notes = []
        if a.injection:
            notes.append(
                "The answer contained instructions addressed to the grader (for example to "
                "ignore the rubric or award full marks). They were treated as part of the "
                "answer, not followed, and every criterion was capped at 1."
            )
        if a.keyword_list:
            notes.append(
                "Much of the answer was a list of rubric terms without sentences explaining "
                "them; listed terms earn no credit."
            )
        if a.repetitive:
            notes.append("The answer repeats itself a lot; repeated text earns no extra credit.")
        if 0 < a.content_words < 40:
            notes.append(f"Very short answer ({a.content_words} words); scores were capped.")
        if a.content_words == 0:
            notes.append("No answer was given.")
        return notes

    def _summary(self, evals: list[_CriterionEval], fms: list[FailureModeHit], a: _Analysis) -> str:
        """Two or three sentences: what was strongest (quoted), the biggest gap, the failure mode.

        Built on the content scores, before any cap for text addressed to the grader.
        """
        if a.content_words == 0:
            return "No answer was given, so nothing could be scored."
        ordered = sorted(evals, key=lambda e: -e.content_score)
        strong = [e for e in ordered if e.content_score >= 3][:2]
        if a.injection:
            lead = "The answer addressed the grader (ignored, every criterion capped at 1); "
            lead += "on content alone it "
        elif a.keyword_list:
            lead = "The answer mostly listed rubric terms instead of explaining them; it "
        else:
            lead = "The answer "
        if strong:
            names = _join([_verb_phrase(e.criterion.name) for e in strong])
            first = f"{lead}was strongest where it {names}{self._short_quote(a, strong[0])}."
        elif ordered and ordered[0].content_score > 0:
            best = ordered[0]
            first = (
                f"{lead}did best where it {_verb_phrase(best.criterion.name)} "
                f"({best.content_score}/4), but nothing reached 3/4."
            )
        else:
            first = f"{lead}covered none of the rubric criteria in substance."
        parts = [first[:1].upper() + first[1:]]
        weak = sorted(evals, key=lambda e: e.content_score)[0]
        if weak.content_score < 3:
            parts.append(f"Biggest gap: {_lower_first(weak.criterion.missing)}")
        if fms:
            names = _join([f'"{f.name}"' for f in fms])
            parts.append(f"That is the guide's failure mode {names}.")
        return " ".join(parts)

    def _short_quote(self, a: _Analysis, ev: _CriterionEval) -> str:
        if not ev.evidence:
            return ""
        q = self._quote(a, ev, ev.evidence[0], max_words=12).quote
        return f' (you said "{q}")'

    def _improvements(
        self,
        evals: list[_CriterionEval],
        fms: list[FailureModeHit],
        a: _Analysis,
        keys: _QuestionKeys,
    ) -> tuple[str, ...]:
        out: list[str] = []
        if a.injection or a.keyword_list:
            out.append(
                "Answer the question in full sentences: say what you would do, in what order, "
                "and why. Naming rubric terms or addressing the grader earns nothing."
            )
        out.extend(fm.fix for fm in fms)
        weakest = sorted(
            (e for e in evals if e.score < SCORE_MAX), key=lambda e: (e.score, evals.index(e))
        )
        for ev in weakest[:4]:
            out.append(f"{ev.criterion.name} ({ev.score}/4): {_next_step(ev.criterion, ev.score)}")
        if a.content_words > 0 and any(e.score < 3 for e in evals):
            ordered = sorted(keys.criteria, key=lambda c: _OUTLINE_RANK.get(c.id, 0))
            steps = "; ".join(
                f"({i}) {_verb_phrase(c.name)}" for i, c in enumerate(ordered, start=1)
            )
            out.append(f"Outline of a stronger answer: {steps}.")
        return tuple(out)


def _strip_as3(anchor: str) -> str:
    return re.sub(r"^As 3,?\s*(and\s+|plus\s+|also\s+)?", "", anchor).strip()


def _next_step(c: Criterion, score: int) -> str:
    """What the next level up asks for: anchor 3 below 3; what anchor 4 adds at 3."""
    if score < 3:
        return c.anchor(3)
    rest = _strip_as3(c.anchor(4))
    return f"Also {rest[:1].lower()}{rest[1:]}"


_OUTLINE_RANK: Mapping[str, int] = {
    "star_situation": -2,
    "star_task": -1,
    "star_result": 1,
    "star_quantified_result": 2,
    "beh_learning": 3,
}
"""Speaking order for the outline: the question's order, STAR's situation and task first and
its result last."""


def _lower_first(s: str) -> str:
    """Lower-case the first letter, unless it starts an acronym ("STAR", "AUC")."""
    if len(s) > 1 and s[1].isupper():
        return s
    return s[:1].lower() + s[1:]


def _verb_phrase(name: str) -> str:
    """A criterion name to follow "where it": "STAR: sets the situation" -> "sets the situation"."""
    head, sep, rest = name.partition(": ")
    if sep and head.isupper():
        name = rest
    return _lower_first(name)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
