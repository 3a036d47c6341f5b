"""Restoring technical vocabulary after decoding."""

from audio.incremental import IncrementalTranscriber, TimedWord
from audio.vocabulary import VocabularyCorrector, sound_key
from tests.fakes import FakeRecognizer, frames, word_audio

COMMON = {"k", "means", "the", "i", "would", "pick", "with", "plus", "and", "centre", "recede"}


def words(text: str) -> list[TimedWord]:
    return [TimedWord(w, i * 300, i * 300 + 250) for i, w in enumerate(text.split())]


def fix(text: str, terms=("k-means", "k-means++", "centroids", "NumPy")) -> str:
    corrector = VocabularyCorrector(terms, lambda w: w.lower().strip(".,") in COMMON)
    return " ".join(w.text for w in corrector.correct(words(text)))


def test_sound_keys_fold_spelling():
    assert sound_key("caymines") == sound_key("k-means")
    assert sound_key("sentarids") == sound_key("centroids")
    assert sound_key("K-means plus plus") == sound_key("k-means++")


def test_misheard_terms_are_restored_with_their_punctuation():
    assert fix("I would pick caymines with sentarids.") == "I would pick k-means with centroids."
    assert fix("then K means plus plus and") == "then k-means++ and"
    assert fix("num pie arrays") == "NumPy arrays"


def test_plain_english_is_left_alone():
    assert fix("the means and the centre") == "the means and the centre"
    assert fix("I would recede the") == "I would recede the"
    assert fix("k-means with centroids") == "k-means with centroids"


def test_times_span_the_replaced_words():
    corrector = VocabularyCorrector(["k-means++"], lambda w: w.lower() in COMMON)
    out = corrector.correct(words("K means plus plus"))
    assert len(out) == 1 and out[0].start_ms == 0 and out[0].end_ms == 3 * 300 + 250


def test_transcriber_corrects_what_it_outputs():
    rec = FakeRecognizer()
    corrector = VocabularyCorrector(["alfa-bravo"], rec.is_common_word)
    tx, clock = IncrementalTranscriber(correct=corrector.correct), 0
    tx.begin_turn(0)
    for f in frames(word_audio(["alpha", "bravo", "charlie"])):
        tx.push(f, at_ms=clock, voiced=any(f))
        clock += 20
    job = tx.prepare("pause")
    caption = tx.apply(job, rec.recognize(job.audio))
    assert caption == "alfa-bravo charlie"
    closed = tx.close_turn(0, clock)
    assert closed.complete().text == "alfa-bravo charlie"
    # the committed words themselves stay as heard, so agreement compares like with like
    assert [w.text for w in closed.committed] == ["alpha", "bravo", "charlie"]
