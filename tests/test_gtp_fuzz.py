"""Property test: whatever bytes a controller sends, the GTP engine answers in GTP and goes on."""

import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from seigen.engine.gtp import GTPEngine, GTPServer
from seigen.engine.players import RandomPlayer

ANSWER = re.compile(r"^[=?](\d*)( [^\n]*)?(\n[^\n]+)*\n\n$")
WORDS = [
    "play", "genmove", "boardsize", "komi", "undo", "list_stones", "is_legal", "fixed_handicap",
    "set_free_handicap", "final_score", "time_left", "time_settings", "kgs-time_settings", "loadsgf",
    "showboard", "clear_board", "b", "w", "black", "white", "pass", "D4", "j9", "I5", "Z99", "0", "-1",
    "7.5", "nan", "inf", "1e309", "abc", "#", "\t", "\x00", "\x7f", "é", "12",
]  # fmt: skip


def server() -> GTPServer:
    engine = GTPEngine(RandomPlayer(seed=0), size=9)
    return GTPServer(engine, io.BytesIO(), io.StringIO())


lines = st.one_of(
    st.binary(max_size=200),
    st.lists(st.sampled_from(WORDS), max_size=6).map(lambda ws: " ".join(ws).encode()),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(lines, min_size=1, max_size=12))
def test_any_input_gets_a_gtp_answer_and_the_engine_goes_on(batch):
    srv = server()
    for raw in batch:
        if b"quit" in raw:
            continue
        answer = srv.respond(raw.replace(b"\n", b" ") + b"\n")
        assert answer == "" or ANSWER.match(answer), (raw, answer)
        srv.engine.board.check_consistency()
    assert srv.respond(b"7 name\n") == "=7 seigen\n\n"
    assert srv.respond(b"protocol_version\n") == "= 2\n\n"
