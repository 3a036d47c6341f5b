"""Protocol parser: every malformed message gets a named error, never an exception."""

import json

import pytest

from server.protocol import (
    MAX_CODE_CHARS,
    Code,
    EndTurn,
    Ping,
    ProtocolError,
    Resume,
    RunCode,
    Start,
    Stop,
    check_frame,
    parse_text,
)


def test_start_defaults_and_fields():
    assert parse_text('{"type":"start","protocol":1}') == Start()
    msg = parse_text(
        json.dumps(
            {
                "type": "start",
                "protocol": 1,
                "round": "coding",
                "mode": "interview",
                "profile": "ai_lab",
                "job_description": "PyTorch, ranking",
                "extra": "ignored",
            }
        )
    )
    assert msg == Start("coding", "interview", "ai_lab", "PyTorch, ranking")


@pytest.mark.parametrize(
    ("text", "code", "needle"),
    [
        ("not json", "bad_json", "not valid JSON"),
        ("[1,2]", "bad_json", "JSON object"),
        ('{"protocol":1}', "bad_message", "'type'"),
        ('{"type":"dance"}', "unknown_type", "dance"),
        ('{"type":"start","protocol":2}', "protocol_mismatch", "protocol 1"),
        ('{"type":"start"}', "protocol_mismatch", "None"),
        ('{"type":"start","protocol":1,"round":"poetry"}', "bad_message", "round"),
        ('{"type":"start","protocol":1,"mode":5}', "bad_message", "mode"),
        ('{"type":"start","protocol":1,"job_description":7}', "bad_message", "job_description"),
        ('{"type":"resume","protocol":1}', "bad_message", "session_id"),
        ('{"type":"resume","protocol":1,"session_id":"../etc"}', "bad_message", "session_id"),
        ('{"type":"ping","id":{"a":1}}', "bad_message", "id"),
        ("[" * 100_000, "too_large", "limited"),
        ('{"type":"code"}', "bad_message", "'text'"),
        ('{"type":"run_code","text":42}', "bad_message", "'text'"),
        (json.dumps({"type": "code", "text": "x" * (MAX_CODE_CHARS + 1)}), "bad_message", "60000"),
        (json.dumps({"type": "ping", "id": "x" * 70_000}), "too_large", "limited"),
        (json.dumps({"type": "code", "text": "x" * 400_000}), "too_large", "limited"),
    ],
)
def test_bad_messages_name_the_problem(text, code, needle):
    err = parse_text(text)
    assert isinstance(err, ProtocolError)
    assert err.code == code
    assert needle in err.message
    assert err.to_json()["type"] == "error"


def test_deeply_nested_json_is_an_error_not_a_crash():
    err = parse_text("[" * 5000 + "]" * 5000)
    assert isinstance(err, ProtocolError) and err.code == "bad_json"


def test_protocol_mismatch_is_fatal():
    err = parse_text('{"type":"resume","protocol":0,"session_id":"abc"}')
    assert isinstance(err, ProtocolError) and err.fatal


def test_simple_messages():
    assert parse_text('{"type":"end_turn"}') == EndTurn()
    assert parse_text('{"type":"stop"}') == Stop()
    assert parse_text('{"type":"ping","id":7}') == Ping(7)
    assert parse_text('{"type":"resume","protocol":1,"session_id":"ab12"}') == Resume("ab12")


@pytest.mark.parametrize("size", [0, 1, 639, 641, 1280, 4096])
def test_frames_must_be_640_bytes(size):
    err = check_frame(b"\x00" * size)
    assert err is not None and err.code == "bad_frame" and str(size) in err.message


def test_good_frame():
    assert check_frame(b"\x00" * 640) is None


def test_code_messages_carry_the_editor_text():
    assert parse_text('{"type":"code","text":"def f():\\n    pass"}') == Code("def f():\n    pass")
    assert parse_text('{"type":"run_code","text":""}') == RunCode("")
    assert parse_text('{"type":"code","text":"x","question_id":"q-1"}') == Code("x", "q-1")
    err = parse_text('{"type":"code","text":"x","question_id":7}')
    assert isinstance(err, ProtocolError) and "question_id" in err.message
    # A full-size snapshot of awkward text is accepted though it is over 64 KiB as JSON.
    text = ('\u00e9\t"quoted"\n' * 6000)[:MAX_CODE_CHARS]
    message = json.dumps({"type": "run_code", "text": text})
    assert len(message.encode()) > 64 * 1024
    assert parse_text(message) == RunCode(text)
