"""The ``coach`` command: serve, transcribe, say, questions, score, check-code."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import wave
from pathlib import Path


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _fail(message: str) -> int:
    sys.stderr.write(f"coach: {message}\n")
    return 2


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app
    from server.config import Settings

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = Settings(**overrides)
    app = create_app(settings)
    _out(f"MLE interview coach: open http://{settings.host}:{settings.port}/ in your browser")
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        ws_max_size=1 << 20,
        log_level="info",
        access_log=False,
    )
    return 0


def cmd_transcribe(args: argparse.Namespace) -> int:
    from audio.pcm import AudioDecodeError, load_audio
    from audio.stt import WhisperRecognizer
    from server.config import Settings

    try:
        audio = load_audio(args.file)
    except AudioDecodeError as exc:
        return _fail(str(exc))
    s = Settings()
    recognizer = WhisperRecognizer(
        s.whisper_model,
        device=s.whisper_device,
        compute_type=s.whisper_compute_type,
        cpu_threads=s.whisper_threads,
    )
    segments = recognizer.transcribe_file(audio)
    if args.vocabulary:
        segments = _restore_vocabulary(segments, args.vocabulary, recognizer.is_common_word)
    text = " ".join(seg.text for seg in segments).strip()
    if args.json:
        _out(
            json.dumps(
                {
                    "text": text,
                    "duration": round(len(audio) / 16000, 3),
                    "segments": [
                        {
                            "start": round(seg.start, 3),
                            "end": round(seg.end, 3),
                            "text": seg.text,
                            "words": [
                                {"word": w.text, "start": round(w.start, 3), "end": round(w.end, 3)}
                                for w in seg.words
                            ],
                        }
                        for seg in segments
                    ],
                },
                indent=2,
            )
        )
    else:
        _out(text)
    return 0


def _restore_vocabulary(segments, vocabulary: str, is_common):
    from audio.incremental import TimedWord
    from audio.stt import Segment, Word
    from audio.vocabulary import VocabularyCorrector

    fix = VocabularyCorrector([t.strip() for t in vocabulary.split(",") if t.strip()], is_common)
    out = []
    for seg in segments:
        timed = [TimedWord(w.text, int(w.start * 1000), int(w.end * 1000)) for w in seg.words]
        words = tuple(Word(w.text, w.start_ms / 1000, w.end_ms / 1000) for w in fix.correct(timed))
        out.append(Segment(" ".join(w.text for w in words), seg.start, seg.end, words))
    return out


def cmd_say(args: argparse.Namespace) -> int:
    from audio.pcm import SAMPLE_RATE
    from audio.tts import PiperSynthesizer
    from server.config import Settings

    if not args.text.strip():
        return _fail("nothing to say: TEXT is empty")
    s = Settings()
    synth = PiperSynthesizer(s.piper_voice, s.piper_config, threads=s.tts_threads)
    audio = synth.synthesize(args.text)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(audio.tobytes())
    _out(f"wrote {out} ({len(audio) / SAMPLE_RATE:.2f} s)")
    return 0


def cmd_questions(args: argparse.Namespace) -> int:
    from interviewer.bank import ROUNDS, BankError, load_bank
    from server.config import Settings

    if args.round and args.round not in ROUNDS:
        return _fail(f"unknown round {args.round!r}; use one of {', '.join(ROUNDS)}")
    try:
        bank = load_bank(Settings().rubrics_dir)
    except BankError as exc:
        return _fail(str(exc))
    items = bank.to_json(args.round)
    if args.json:
        _out(json.dumps(items, indent=2))
    else:
        for q in items:
            _out(f"{q['id']:<32} {q['round']:<14} {q['prompt'][:90]}")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from interviewer.bank import BankError, UnknownIdError, load_bank
    from interviewer.claude import make_scorer
    from interviewer.result import AnswerTranscript
    from interviewer.scorer import LocalScorer
    from server.config import Settings

    path = Path(args.answer_file)
    if not path.is_file():
        return _fail(f"{path}: no such answer file")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return _fail(f"{path}: not a UTF-8 text file")
    if not text.strip():
        return _fail(f"{path}: the answer file is empty")
    settings = Settings()
    try:
        bank = load_bank(settings.rubrics_dir)
        bank.question(args.question)
    except BankError as exc:
        return _fail(str(exc))
    except UnknownIdError as exc:
        return _fail(str(exc).strip("'\""))
    local = LocalScorer(bank)
    scorer = make_scorer(
        bank,
        settings.anthropic_api_key,
        settings.anthropic_base_url,
        settings.anthropic_model,
        local,
    )
    result = scorer.score(args.question, AnswerTranscript.from_text(text.strip()))
    if args.json:
        _out(json.dumps(result.to_json(), indent=2))
        return 0
    _out(f"{result.question_id} ({result.round}): {result.overall}/100 [{result.engine}]")
    for c in result.criteria:
        _out(f"  {c.score}/{c.max}  {c.name}" + (f"  - missing: {c.missing}" if c.missing else ""))
    _out(result.summary)
    for line in result.improvements:
        _out(f"  * {line}")
    for note in result.notes:
        _out(f"  note: {note}")
    return 0


def cmd_check_code(args: argparse.Namespace) -> int:
    """Run a solution file in the sandbox against a question's full suite.

    Exit status: 0 when every test passed, 1 when the run completed but a test failed or a
    limit stopped it, 2 when the request itself is wrong (unknown question, missing file).
    """
    from coding.sandbox import run_solution
    from coding.suites import SuiteError, UnknownSuite

    path = Path(args.file)
    if not path.is_file():
        return _fail(f"{path}: no such solution file")
    try:
        code = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return _fail(f"{path}: not a UTF-8 text file")
    try:
        result = run_solution(args.question, code, suites_root=args.suites_root)
    except (UnknownSuite, SuiteError) as exc:
        return _fail(str(exc))
    if args.json:
        _out(json.dumps(result.to_json(), indent=2))
    else:
        _out(f"{result.question_id}: {result.passed}/{result.total} passed in {result.seconds} s")
        for c in result.cases:
            note = f": {c.message}" if c.message else ""
            _out(f"  {'ok  ' if c.ok else 'FAIL'} {c.name}{note}")
        if result.error:
            _out(result.error)
    return 0 if result.all_passed else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="coach", description="Voice mock-interview coach for MLEs")
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start the web server")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(func=cmd_serve)

    tr = sub.add_parser("transcribe", help="transcribe an audio file (any format PyAV reads)")
    tr.add_argument("file")
    tr.add_argument("--json", action="store_true", help="print JSON with text and segments")
    tr.add_argument("--vocabulary", default=None, help="comma-separated technical terms to restore")
    tr.set_defaults(func=cmd_transcribe)

    say = sub.add_parser("say", help="speak TEXT into a WAV file")
    say.add_argument("text")
    say.add_argument("-o", "--output", required=True)
    say.set_defaults(func=cmd_say)

    sc = sub.add_parser("score", help="grade a written or transcribed answer")
    sc.add_argument("--question", required=True, help="question id (see coach questions)")
    sc.add_argument("--answer-file", required=True)
    sc.add_argument("--json", action="store_true")
    sc.set_defaults(func=cmd_score)

    cc = sub.add_parser(
        "check-code",
        help="run a solution in the sandbox against a coding question's tests "
        "(exit 0: all pass, 1: a test failed or a limit stopped it, 2: bad request)",
    )
    cc.add_argument("--question", required=True, help="coding question id")
    cc.add_argument("--file", required=True, help="the solution (a Python file)")
    cc.add_argument("--json", action="store_true", help="print the result as JSON")
    cc.add_argument(
        "--suites-root", default=None, help="folder of the suites (default: rubrics/code)"
    )
    cc.set_defaults(func=cmd_check_code)

    qs = sub.add_parser("questions", help="list the question bank")
    qs.add_argument("--round", default=None)
    qs.add_argument("--json", action="store_true")
    qs.set_defaults(func=cmd_questions)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
