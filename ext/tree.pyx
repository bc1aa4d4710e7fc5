# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Batched MCTS in C: game states, trees as structure-of-arrays, select/expand/backup.

Three native games share one small C interface (``_g_*`` functions, a switch on the
game kind): Go (the board core), Connect Four and tic-tac-toe (bitboards). A fourth
kind, ``EXTERNAL``, is a tree without a C game: selection returns the action path and
Python replays it (the PettingZoo adapter).

Each game of a batch owns one ``Slot``: its root state and its tree. A tree is a block
of parallel arrays indexed by node (root = 0, ``NO_NODE`` = -1); the children of a node
are contiguous, ``first[node] .. first[node] + nchild[node] - 1``. Values are stored
from the view of the player who moved *into* the node (the player to move at its
parent), so a parent maximises its children's mean value directly.

The loop (driven by ``seigen.engine.search.BatchedSearch``):
``select`` walks every tree several times under virtual loss, writes one row of the
feature/mask batch per new leaf (and backs up terminal leaves at once); the evaluator
runs once; ``backup`` expands the leaves with the policy and backs the values up.
"""
from libc.math cimport exp, log, sqrt
from libc.stdint cimport int16_t, int32_t, uint8_t, uint16_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy, memset

from seigen.ext.board cimport (
    BLACK, EMPTY, GO_HISTORY, GO_PLANES, KO_SIMPLE, KO_SITUATIONAL, MAX_PTS, PASS_LOC, WHITE,
    CBoard, GoBoard, PlayoutPolicy, PolicyParams, area_counts, as_policy, board_copy, is_legal_simple,
    play_unchecked, rng_next, run_playout,
)

import numpy as np

cdef enum:
    GAME_GO = 0
    GAME_CONNECT4 = 1
    GAME_TICTACTOE = 2
    GAME_EXTERNAL = 3

    NO_NODE = -1
    MAX_DEPTH = 2048  # longest path from the root the tree may hold

    F_PENDING = 1  # waiting for the evaluator in this pass
    F_TERMINAL = 2  # game over here; ``value`` holds the result for the side to move
    F_INVALID = 4  # an illegal move after all (superko found on the way down)

    # what one descent did
    D_LEAF = 0
    D_DONE = 1
    D_BLOCKED = 2
    D_RETRY = 3

    C4_W = 7
    C4_H = 6

GAME_KINDS = {"go": GAME_GO, "connect4": GAME_CONNECT4, "tictactoe": GAME_TICTACTOE, "external": GAME_EXTERNAL}

cdef uint64_t SITUATION_SALT = 0x9E3779B97F4A7C15ULL
cdef uint16_t TTT_LINES[8]
TTT_LINES[:] = [0x007, 0x038, 0x1C0, 0x049, 0x092, 0x124, 0x111, 0x054]


# ------------------------------------------------------------------ native games

ctypedef struct C4:
    uint64_t bb[2]  # pieces of players 0 and 1; bit col * 7 + row, row 0 at the bottom
    uint8_t height[C4_W]
    int32_t moves
    int32_t winner  # -1: nobody (yet)

ctypedef struct TTT:
    uint16_t bb[2]  # bit a = square a in PettingZoo's numbering
    int32_t moves
    int32_t winner

ctypedef union GameState:
    GoBoard go
    C4 c4
    TTT ttt

ctypedef struct Spec:
    int kind
    int n  # Go board size
    int num_actions
    int planes
    int height
    int width
    int ko_rule
    int act2loc[MAX_PTS + 1]  # Go: action -> board location


cdef inline bint _c4_won(uint64_t b) noexcept nogil:
    cdef uint64_t m
    m = b & (b >> 1)
    if m & (m >> 2):
        return True
    m = b & (b >> 7)
    if m & (m >> 14):
        return True
    m = b & (b >> 6)
    if m & (m >> 12):
        return True
    m = b & (b >> 8)
    if m & (m >> 16):
        return True
    return False


cdef inline bint _ttt_won(uint16_t b) noexcept nogil:
    cdef int i
    for i in range(8):
        if b & TTT_LINES[i] == TTT_LINES[i]:
            return True
    return False


cdef inline int _g_to_play(const Spec* sp, const GameState* st) noexcept nogil:
    """0 for the first player (black in Go), 1 for the second."""
    if sp.kind == GAME_GO:
        return st.go.to_play - 1
    if sp.kind == GAME_CONNECT4:
        return st.c4.moves & 1
    return st.ttt.moves & 1


cdef inline void _g_copy(const Spec* sp, GameState* dst, const GameState* src) noexcept nogil:
    if sp.kind == GAME_GO:
        board_copy(&dst.go, &src.go)
    elif sp.kind == GAME_CONNECT4:
        dst.c4 = src.c4
    else:
        dst.ttt = src.ttt


cdef int _g_legal(const Spec* sp, const GameState* st, uint8_t* mask) noexcept nogil:
    """Write the legal-action mask (superko excepted: see ``_descend``); return the count."""
    cdef int a, k = 0, loc, pla
    cdef const GoBoard* b
    if sp.kind == GAME_GO:
        b = &st.go
        pla = b.to_play
        for a in range(sp.num_actions - 1):
            loc = sp.act2loc[a]
            mask[a] = b.color[loc] == EMPTY and is_legal_simple(b, loc, pla)
            k += mask[a]
        mask[sp.num_actions - 1] = 1
        return k + 1
    if sp.kind == GAME_CONNECT4:
        for a in range(C4_W):
            mask[a] = st.c4.height[a] < C4_H
            k += mask[a]
        return k
    for a in range(9):
        mask[a] = not (((st.ttt.bb[0] | st.ttt.bb[1]) >> a) & 1)
        k += mask[a]
    return k


cdef void _g_play(const Spec* sp, GameState* st, int a) noexcept nogil:
    """Play a legal action (unchecked)."""
    cdef int p
    if sp.kind == GAME_GO:
        play_unchecked(&st.go, sp.act2loc[a], st.go.to_play)
    elif sp.kind == GAME_CONNECT4:
        p = st.c4.moves & 1
        st.c4.bb[p] |= (<uint64_t>1) << (a * 7 + st.c4.height[a])
        st.c4.height[a] += 1
        st.c4.moves += 1
        if _c4_won(st.c4.bb[p]):
            st.c4.winner = p
    else:
        p = st.ttt.moves & 1
        st.ttt.bb[p] |= <uint16_t>(1 << a)
        st.ttt.moves += 1
        if _ttt_won(st.ttt.bb[p]):
            st.ttt.winner = p


cdef inline float _go_result(const GoBoard* b, float komi) noexcept nogil:
    """Tromp-Taylor area result for the side to move: +1, 0 or -1."""
    cdef int32_t nb, nw
    area_counts(b, &nb, &nw)
    cdef float score = nb - nw - komi  # black's view
    if b.to_play == WHITE:
        score = -score
    return 1.0 if score > 0 else (-1.0 if score < 0 else 0.0)


cdef bint _g_terminal(const Spec* sp, const GameState* st, float komi, int max_moves, float* value) noexcept nogil:
    """Is the game over? If so, ``value`` gets the result for the side to move."""
    cdef int p
    if sp.kind == GAME_GO:
        if st.go.passes >= 2 or st.go.move_num >= max_moves:
            value[0] = _go_result(&st.go, komi)
            return True
        return False
    if sp.kind == GAME_CONNECT4:
        p = st.c4.moves & 1
        if st.c4.winner >= 0:
            value[0] = 1.0 if st.c4.winner == p else -1.0
            return True
        if st.c4.moves == C4_W * C4_H:
            value[0] = 0.0
            return True
        return False
    p = st.ttt.moves & 1
    if st.ttt.winner >= 0:
        value[0] = 1.0 if st.ttt.winner == p else -1.0
        return True
    if st.ttt.moves == 9:
        value[0] = 0.0
        return True
    return False


cdef inline int _below(uint64_t* rng, int n) noexcept nogil:
    return <int>(((rng_next(rng) >> 32) * <uint64_t>n) >> 32)


cdef float _g_rollout(const Spec* sp, GameState* st, float komi, int max_moves, uint64_t* rng,
                      const PolicyParams* pol) noexcept nogil:
    """Play random moves to the end (destroys ``st``); result for the side to move at the start.

    Go plays a light playout (no own-eye filling, simple ko) when ``pol`` is NULL, else a
    heavy one with policy ``pol``; then the Tromp-Taylor area count. Other games play
    uniformly random moves (``pol`` is ignored)."""
    cdef int p0 = _g_to_play(sp, st), a, k, i
    cdef float v
    cdef uint8_t mask[C4_W + 9]
    if sp.kind == GAME_GO:
        run_playout(&st.go, rng, 3 * sp.n * sp.n, NULL, False, pol)
        v = _go_result(&st.go, komi)
        return v if _g_to_play(sp, st) == p0 else -v
    while not _g_terminal(sp, st, komi, max_moves, &v):
        k = _g_legal(sp, st, mask)
        i = _below(rng, k)
        for a in range(sp.num_actions):
            if mask[a]:
                if i == 0:
                    break
                i -= 1
        _g_play(sp, st, a)
    return v if _g_to_play(sp, st) == p0 else -v


cdef void _g_features(const Spec* sp, const GameState* st, const uint8_t** past, float* out) noexcept nogil:
    """Input planes ``[planes, height, width]`` for the side to move.

    Go: the AlphaGo Zero planes of ``CBoard.features`` (``past[k]``: the ``n*n`` colours
    ``k`` moves ago, NULL before the game). Connect Four and tic-tac-toe: the side to
    move's pieces, then the opponent's, as in PettingZoo's observations.
    """
    cdef int n = sp.n, nn = sp.n * sp.n, k, i, pla, col, r, c, p
    cdef uint64_t mine, theirs
    cdef const uint8_t* colors
    if sp.kind == GAME_GO:
        pla = st.go.to_play
        for k in range(GO_HISTORY):
            colors = past[k]
            for i in range(nn):
                if colors == NULL:
                    out[k * nn + i] = 0.0
                    out[(GO_HISTORY + k) * nn + i] = 0.0
                else:
                    col = colors[i]
                    out[k * nn + i] = col == pla
                    out[(GO_HISTORY + k) * nn + i] = col == 3 - pla
        for i in range(nn):
            out[2 * GO_HISTORY * nn + i] = pla == BLACK
    elif sp.kind == GAME_CONNECT4:
        p = st.c4.moves & 1
        mine = st.c4.bb[p]
        theirs = st.c4.bb[1 - p]
        for r in range(C4_H):  # feature row 0 is the top
            for c in range(C4_W):
                i = c * 7 + (C4_H - 1 - r)
                out[r * C4_W + c] = (mine >> i) & 1
                out[C4_H * C4_W + r * C4_W + c] = (theirs >> i) & 1
    else:
        p = st.ttt.moves & 1
        for i in range(9):
            out[i] = (st.ttt.bb[p] >> i) & 1
            out[9 + i] = (st.ttt.bb[1 - p] >> i) & 1


cdef void _go_colors(const GoBoard* b, uint8_t* out) noexcept nogil:
    cdef int r, c, n = b.n
    for r in range(n):
        for c in range(n):
            out[r * n + c] = b.color[(r + 1) * b.stride + c + 1]


cdef inline uint64_t _go_key(const GoBoard* b, int ko_rule) noexcept nogil:
    """The superko identity of a position: stones, plus the side to move for situational superko."""
    if ko_rule == KO_SITUATIONAL:
        return b.hash ^ (SITUATION_SALT * <uint64_t>b.to_play)
    return b.hash


cdef class NativeGame:
    """One game in C (Go, Connect Four or tic-tac-toe) with a small Python face.

    ``seigen.engine.games`` builds these; the search copies their state into its slots.
    Go also keeps the superko keys and the colours of the past positions (features).
    """

    cdef Spec spec
    cdef GameState st
    cdef public float komi
    cdef public int max_moves
    cdef uint64_t* keys  # superko keys of the positions before this one (Go, non-simple ko)
    cdef int n_keys, cap_keys
    cdef uint8_t* past  # Go: colours 1..GO_HISTORY-1 moves ago, most recent first
    cdef int n_past

    def __cinit__(self):
        self.keys = NULL
        self.past = NULL
        self.n_keys = 0
        self.cap_keys = 0
        self.n_past = 0

    def __dealloc__(self):
        free(self.keys)
        free(self.past)

    @staticmethod
    def connect4() -> NativeGame:
        cdef NativeGame g = NativeGame()
        _spec_init(&g.spec, GAME_CONNECT4, 0, KO_SIMPLE)
        memset(&g.st.c4, 0, sizeof(C4))
        g.st.c4.winner = -1
        return g

    @staticmethod
    def tictactoe() -> NativeGame:
        cdef NativeGame g = NativeGame()
        _spec_init(&g.spec, GAME_TICTACTOE, 0, KO_SIMPLE)
        memset(&g.st.ttt, 0, sizeof(TTT))
        g.st.ttt.winner = -1
        return g

    @staticmethod
    def go(CBoard board, float komi, int max_moves) -> NativeGame:
        """A Go game from a ``CBoard`` position and its history (superko keys, past colours)."""
        cdef NativeGame g = NativeGame()
        cdef int i, k, nn = board.cur.n * board.cur.n
        _spec_init(&g.spec, GAME_GO, board.cur.n, board.ko_rule)
        board_copy(&g.st.go, &board.cur)
        g.komi = komi
        g.max_moves = max_moves
        g.past = <uint8_t*>malloc((GO_HISTORY - 1) * nn)
        if g.past == NULL:
            raise MemoryError()
        g.n_past = min(board.depth, GO_HISTORY - 1)
        for k in range(g.n_past):
            _go_colors(&board.stack[board.depth - 1 - k], g.past + k * nn)
        if board.ko_rule != KO_SIMPLE:
            g._reserve_keys(board.depth + 16)
            for i in range(board.depth):
                g.keys[i] = _go_key(&board.stack[i], board.ko_rule)
            g.n_keys = board.depth
        return g

    cdef int _reserve_keys(self, int cap) except -1:
        cdef uint64_t* grown
        if cap <= self.cap_keys:
            return 0
        grown = <uint64_t*>realloc(self.keys, cap * sizeof(uint64_t))
        if grown == NULL:
            raise MemoryError()
        self.keys = grown
        self.cap_keys = cap
        return 0

    def copy(self) -> NativeGame:
        cdef NativeGame g = NativeGame()
        g.spec = self.spec
        _g_copy(&self.spec, &g.st, &self.st)
        g.komi = self.komi
        g.max_moves = self.max_moves
        cdef int nn = self.spec.n * self.spec.n
        if self.past != NULL:
            g.past = <uint8_t*>malloc((GO_HISTORY - 1) * nn)
            if g.past == NULL:
                raise MemoryError()
            memcpy(g.past, self.past, (GO_HISTORY - 1) * nn)
            g.n_past = self.n_past
        if self.n_keys:
            g._reserve_keys(self.cap_keys)
            memcpy(g.keys, self.keys, self.n_keys * sizeof(uint64_t))
            g.n_keys = self.n_keys
        return g

    @property
    def kind(self) -> int:
        return self.spec.kind

    @property
    def num_actions(self) -> int:
        return self.spec.num_actions

    @property
    def feature_shape(self) -> tuple:
        return (self.spec.planes, self.spec.height, self.spec.width)

    @property
    def to_play(self) -> int:
        return _g_to_play(&self.spec, &self.st)

    def hash(self) -> int:
        if self.spec.kind == GAME_GO:
            return _go_key(&self.st.go, KO_SITUATIONAL)
        if self.spec.kind == GAME_CONNECT4:
            return self.st.c4.bb[0] * 0x9E3779B97F4A7C15ULL ^ self.st.c4.bb[1]
        return self.st.ttt.bb[0] | (self.st.ttt.bb[1] << 9)

    cdef bint _repeats(self, const GameState* after) noexcept nogil:
        if self.spec.kind != GAME_GO or self.spec.ko_rule == KO_SIMPLE:
            return False
        cdef uint64_t k = _go_key(&after.go, self.spec.ko_rule)
        cdef int i
        if k == _go_key(&self.st.go, self.spec.ko_rule):
            return True
        for i in range(self.n_keys):
            if self.keys[i] == k:
                return True
        return False

    def legal_mask(self):
        """uint8 ``[num_actions]``: 1 where the action is legal (superko included)."""
        out = np.zeros(self.spec.num_actions, dtype=np.uint8)
        cdef uint8_t[::1] m = out
        cdef GameState tmp
        cdef float v
        if _g_terminal(&self.spec, &self.st, self.komi, self.max_moves, &v):
            return out
        _g_legal(&self.spec, &self.st, &m[0])
        cdef int a
        if self.spec.kind == GAME_GO and self.spec.ko_rule != KO_SIMPLE:
            for a in range(self.spec.num_actions - 1):
                if m[a]:
                    _g_copy(&self.spec, &tmp, &self.st)
                    _g_play(&self.spec, &tmp, a)
                    if self._repeats(&tmp):
                        m[a] = 0
        return out

    cdef bint _is_legal(self, int a) noexcept:
        cdef float v
        cdef GameState tmp
        cdef uint8_t mask[C4_W + 9]
        cdef int loc
        if a < 0 or a >= self.spec.num_actions or _g_terminal(&self.spec, &self.st, self.komi, self.max_moves, &v):
            return False
        if self.spec.kind != GAME_GO:
            _g_legal(&self.spec, &self.st, mask)
            return mask[a]
        if a == self.spec.num_actions - 1:
            return True
        loc = self.spec.act2loc[a]
        if self.st.go.color[loc] != EMPTY or not is_legal_simple(&self.st.go, loc, self.st.go.to_play):
            return False
        if self.spec.ko_rule == KO_SIMPLE:
            return True
        _g_copy(&self.spec, &tmp, &self.st)
        _g_play(&self.spec, &tmp, a)
        return not self._repeats(&tmp)

    def is_legal(self, int action) -> bool:
        return self._is_legal(action)

    def play(self, int action) -> None:
        """Play a legal action; ``ValueError`` (and no change) for an illegal one."""
        if not self._is_legal(action):
            raise ValueError(f"illegal action {action}")
        cdef int nn = self.spec.n * self.spec.n
        if self.spec.kind == GAME_GO:
            if self.spec.ko_rule != KO_SIMPLE:
                if self.n_keys == self.cap_keys:
                    self._reserve_keys(2 * self.cap_keys + 16)
                self.keys[self.n_keys] = _go_key(&self.st.go, self.spec.ko_rule)
                self.n_keys += 1
            memmove_past(self.past, nn)
            _go_colors(&self.st.go, self.past)
            self.n_past = min(self.n_past + 1, GO_HISTORY - 1)
        _g_play(&self.spec, &self.st, action)

    def is_terminal(self) -> bool:
        cdef float v
        return _g_terminal(&self.spec, &self.st, self.komi, self.max_moves, &v)

    def returns(self) -> float:
        """The result from the first player's view (+1 win, 0 draw, -1 loss); the game must be over."""
        cdef float v
        if not _g_terminal(&self.spec, &self.st, self.komi, self.max_moves, &v):
            raise ValueError("the game is not over")
        return v if _g_to_play(&self.spec, &self.st) == 0 else -v

    def features(self):
        """float32 ``[planes, height, width]`` for the side to move."""
        out = np.empty(self.feature_shape, dtype=np.float32)
        cdef float[:, :, ::1] o = out
        cdef const uint8_t* past[GO_HISTORY]
        cdef uint8_t now[MAX_PTS]
        self._past_pointers(past, now)
        _g_features(&self.spec, &self.st, past, &o[0, 0, 0])
        return out

    cdef void _past_pointers(self, const uint8_t** past, uint8_t* now) noexcept:
        cdef int k, nn = self.spec.n * self.spec.n
        for k in range(GO_HISTORY):
            past[k] = NULL
        if self.spec.kind != GAME_GO:
            return
        _go_colors(&self.st.go, now)
        past[0] = now
        for k in range(self.n_past):
            past[k + 1] = self.past + k * nn

    def rollout(self, uint64_t seed, kind="light") -> float:
        """One random playout from here (the game is not changed); result for the side to move.

        ``kind`` (Go): ``"light"``, ``"heavy"`` or a ``seigen.ext.board.PlayoutPolicy``."""
        cdef GameState tmp
        cdef uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1
        cdef float v
        cdef PlayoutPolicy policy = as_policy(kind)
        if _g_terminal(&self.spec, &self.st, self.komi, self.max_moves, &v):
            return v
        _g_copy(&self.spec, &tmp, &self.st)
        return _g_rollout(&self.spec, &tmp, self.komi, self.max_moves, &rng,
                          NULL if policy is None else &policy.c)


cdef inline void memmove_past(uint8_t* past, int nn) noexcept:
    """Shift the past colours one move older (the oldest falls off)."""
    cdef int k
    for k in range(GO_HISTORY - 2, 0, -1):
        memcpy(past + k * nn, past + (k - 1) * nn, nn)


cdef void _spec_init(Spec* sp, int kind, int n, int ko_rule) noexcept:
    cdef int a, stride
    sp.kind = kind
    sp.n = n
    sp.ko_rule = ko_rule
    if kind == GAME_GO:
        sp.num_actions = n * n + 1
        sp.planes = GO_PLANES
        sp.height = n
        sp.width = n
        stride = n + 2
        for a in range(n * n):
            sp.act2loc[a] = (a // n + 1) * stride + a % n + 1
        sp.act2loc[n * n] = PASS_LOC
    elif kind == GAME_CONNECT4:
        sp.num_actions = C4_W
        sp.planes = 2
        sp.height = C4_H
        sp.width = C4_W
    else:
        sp.num_actions = 9
        sp.planes = 2
        sp.height = 3
        sp.width = 3


# ------------------------------------------------------------------ trees

ctypedef struct Tree:
    int32_t* visits  # [cap] completed simulations through the node
    double* wsum  # [cap] sum of values, view of the player who moved into the node
    float* prior  # [cap] policy probability of the move into the node
    float* value  # [cap] evaluator value (or game result), view of the side to move at the node
    int32_t* first  # [cap] first child, NO_NODE while unexpanded
    int32_t* parent  # [cap] NO_NODE at the root
    int16_t* nchild  # [cap] number of children (legal moves at expansion)
    int16_t* move  # [cap] action that led here (-1 at the root)
    int16_t* vloss  # [cap] descents in flight through the node
    uint8_t* flags  # [cap] F_* bits
    int32_t n  # nodes in use
    int32_t cap

ctypedef struct Slot:
    Tree t
    GameState root
    float komi
    int max_moves
    uint64_t rng
    uint64_t* keys  # Go superko keys before the root (open addressing, 0 = empty slot)
    int keys_mask  # table size - 1 (0: no table)
    int n_keys
    uint8_t* past  # Go: colours 1..GO_HISTORY-1 moves before the root, most recent first
    int n_past
    int target  # simulations wanted in this search
    int sims  # simulations finished in this search
    int pending  # leaves waiting in the current batch
    float* gumbel  # [num_actions] Gumbel noise of this search (gumbel root only)
    int32_t* gseq  # [target] visits a root candidate must have to be picked at each simulation (gumbel)


cdef inline int _resize(void** p, size_t size) noexcept nogil:
    cdef void* q = realloc(p[0], size)
    if q == NULL:
        return -1
    p[0] = q
    return 0


cdef int _tree_alloc(Tree* t, int cap) noexcept nogil:
    """(Re)size the node arrays; 0 on success, -1 when memory runs out."""
    if (_resize(<void**>&t.visits, cap * sizeof(int32_t)) or _resize(<void**>&t.wsum, cap * sizeof(double))
            or _resize(<void**>&t.prior, cap * sizeof(float)) or _resize(<void**>&t.value, cap * sizeof(float))
            or _resize(<void**>&t.first, cap * sizeof(int32_t)) or _resize(<void**>&t.parent, cap * sizeof(int32_t))
            or _resize(<void**>&t.nchild, cap * sizeof(int16_t)) or _resize(<void**>&t.move, cap * sizeof(int16_t))
            or _resize(<void**>&t.vloss, cap * sizeof(int16_t)) or _resize(<void**>&t.flags, cap * sizeof(uint8_t))):
        return -1
    t.cap = cap
    return 0


cdef void _tree_free(Tree* t) noexcept nogil:
    free(t.visits); free(t.wsum); free(t.prior); free(t.value); free(t.first)
    free(t.parent); free(t.nchild); free(t.move); free(t.vloss); free(t.flags)
    memset(t, 0, sizeof(Tree))


cdef inline void _node_init(Tree* t, int i, int parent, int move, float prior) noexcept nogil:
    t.visits[i] = 0
    t.wsum[i] = 0.0
    t.prior[i] = prior
    t.value[i] = 0.0
    t.first[i] = NO_NODE
    t.parent[i] = parent
    t.nchild[i] = 0
    t.move[i] = move
    t.vloss[i] = 0
    t.flags[i] = 0


cdef void _tree_reset(Tree* t) noexcept nogil:
    t.n = 1
    _node_init(t, 0, NO_NODE, -1, 1.0)


cdef int _tree_reroot(Tree* t, int new_root) noexcept nogil:
    """Keep only the subtree under ``new_root``, compacted so it starts at index 0.

    Breadth-first copy into fresh arrays keeps every sibling block contiguous.
    Returns -1 when memory runs out (the tree is then reset)."""
    cdef Tree u
    memset(&u, 0, sizeof(Tree))
    if _tree_alloc(&u, t.cap) != 0:
        _tree_free(&u)
        _tree_reset(t)
        return -1
    cdef int32_t* order = <int32_t*>malloc(t.n * sizeof(int32_t))  # new index -> old index
    if order == NULL:
        _tree_free(&u)
        _tree_reset(t)
        return -1
    cdef int head = 0, tail = 1, old, new, k, c
    order[0] = new_root
    while head < tail:
        old = order[head]
        new = head
        u.visits[new] = t.visits[old]
        u.wsum[new] = t.wsum[old]
        u.prior[new] = t.prior[old]
        u.value[new] = t.value[old]
        u.nchild[new] = t.nchild[old]
        u.move[new] = t.move[old]
        u.vloss[new] = 0
        u.flags[new] = t.flags[old] & ~F_PENDING
        if t.first[old] == NO_NODE:
            u.first[new] = NO_NODE
        else:
            u.first[new] = tail
            c = t.first[old]
            for k in range(t.nchild[old]):
                order[tail] = c + k
                u.parent[tail] = new
                tail += 1
        head += 1
    u.parent[0] = NO_NODE
    u.move[0] = -1
    u.n = tail
    free(order)
    _tree_free(t)
    t[0] = u
    return 0


cdef inline int _keys_has(const Slot* s, uint64_t k) noexcept nogil:
    cdef int i
    if s.keys_mask == 0:
        return False
    i = <int>(k & <uint64_t>s.keys_mask)
    while s.keys[i] != 0:
        if s.keys[i] == k:
            return True
        i = (i + 1) & s.keys_mask
    return False


cdef int _keys_add(Slot* s, uint64_t k) noexcept nogil:
    """Insert a superko key (grows the table past half full); -1 when memory runs out."""
    cdef uint64_t* old
    cdef int old_size, i, j
    if k == 0:
        k = 1  # 0 marks an empty cell
    if _keys_has(s, k):
        return 0
    if 2 * (s.n_keys + 1) > s.keys_mask + 1:
        old = s.keys
        old_size = s.keys_mask + 1 if s.keys_mask else 0
        s.keys_mask = (2 * old_size if old_size else 64) - 1
        s.keys = <uint64_t*>malloc((s.keys_mask + 1) * sizeof(uint64_t))
        if s.keys == NULL:
            s.keys = old
            s.keys_mask = old_size - 1 if old_size else 0
            return -1
        memset(s.keys, 0, (s.keys_mask + 1) * sizeof(uint64_t))
        for j in range(old_size):
            if old[j] != 0:
                i = <int>(old[j] & <uint64_t>s.keys_mask)
                while s.keys[i] != 0:
                    i = (i + 1) & s.keys_mask
                s.keys[i] = old[j]
        free(old)
    i = <int>(k & <uint64_t>s.keys_mask)
    while s.keys[i] != 0:
        i = (i + 1) & s.keys_mask
    s.keys[i] = k
    s.n_keys += 1
    return 0


ctypedef struct Params:
    float c_puct
    float c_puct_base  # 0: no log schedule
    float fpu_reduction
    float vloss_weight
    int gumbel  # sequential halving at the root
    float gumbel_c_visit
    float gumbel_c_scale


cdef int _puct_child(const Tree* t, int node, const Params* p) noexcept nogil:
    cdef int first = t.first[node], k = t.nchild[node], i, c, best = NO_NODE
    cdef double parent_n = t.visits[node] + t.vloss[node] - 2
    if parent_n < 1:
        parent_n = 1
    cdef double cp = p.c_puct
    if p.c_puct_base > 0:
        cp += log((1.0 + parent_n + p.c_puct_base) / p.c_puct_base)
    cdef double u_scale = cp * sqrt(parent_n)
    cdef double fpu = -t.wsum[node] / t.visits[node] - p.fpu_reduction if t.visits[node] > 0 else 0.0
    cdef double q, score, best_score = -1e300
    cdef int n_eff
    for i in range(k):
        c = first + i
        if t.flags[c] & F_INVALID:
            continue
        if t.flags[c] & F_TERMINAL and t.value[c] < -0.5:
            return c  # a move that ends the game with a win for the mover decides the node
        n_eff = t.visits[c] + t.vloss[c]
        if n_eff == 0:
            q = fpu
        else:
            q = (t.wsum[c] - p.vloss_weight * t.vloss[c]) / n_eff
        score = q + u_scale * t.prior[c] / (1 + n_eff)
        if score > best_score:
            best_score = score
            best = c
    return best


cdef double _completed_scale(const Tree* t, const Params* p, double* qmin, double* qmax, double* vmix) noexcept nogil:
    """Gumbel root helpers: mixed value, min/max of completed Q and the sigma scale."""
    cdef int first = t.first[0], k = t.nchild[0], i, c, max_n = 0
    cdef double sum_n = 0, sum_p = 0, sum_pq = 0, q
    for i in range(k):
        c = first + i
        if t.visits[c] > 0 and not (t.flags[c] & F_INVALID):
            q = t.wsum[c] / t.visits[c]
            sum_n += t.visits[c]
            sum_p += t.prior[c]
            sum_pq += t.prior[c] * q
            if t.visits[c] > max_n:
                max_n = t.visits[c]
    vmix[0] = t.value[0]
    if sum_p > 0:
        vmix[0] = (t.value[0] + sum_n / sum_p * sum_pq) / (1 + sum_n)
    qmin[0] = vmix[0]
    qmax[0] = vmix[0]
    for i in range(k):
        c = first + i
        if t.visits[c] > 0 and not (t.flags[c] & F_INVALID):
            q = t.wsum[c] / t.visits[c]
            if q < qmin[0]:
                qmin[0] = q
            if q > qmax[0]:
                qmax[0] = q
    return (p.gumbel_c_visit + max_n) * p.gumbel_c_scale


cdef int _gumbel_child(const Slot* s, const Params* p) noexcept nogil:
    """Sequential halving: among root children with exactly the visits this simulation
    asks for (in flight included), the best by gumbel + log prior + sigma(completed Q)."""
    cdef const Tree* t = &s.t
    cdef int first = t.first[0], k = t.nchild[0], i, c, best = NO_NODE, idx = s.sims + s.pending
    if idx >= s.target:
        return NO_NODE
    cdef int want = s.gseq[idx]
    cdef double qmin, qmax, vmix, q, score, best_score = -1e300
    cdef double scale = _completed_scale(t, p, &qmin, &qmax, &vmix)
    cdef double span = qmax - qmin
    if span < 1e-8:
        span = 1e-8
    for i in range(k):
        c = first + i
        if t.flags[c] & F_INVALID or t.visits[c] + t.vloss[c] != want:
            continue
        q = t.wsum[c] / t.visits[c] if t.visits[c] > 0 else vmix
        score = s.gumbel[t.move[c]] + log(t.prior[c] + 1e-12) + scale * (q - qmin) / span
        if score > best_score:
            best_score = score
            best = c
    return best


cdef void _backup(Tree* t, int node, float v) noexcept nogil:
    """Add one simulation with value ``v`` (side to move at ``node``) up to the root,
    releasing the virtual loss of the descent."""
    cdef double x = v
    while node != NO_NODE:
        t.visits[node] += 1
        t.wsum[node] -= x
        if t.vloss[node] > 0:
            t.vloss[node] -= 1
        x = -x
        node = t.parent[node]


cdef void _release(Tree* t, int node) noexcept nogil:
    while node != NO_NODE:
        if t.vloss[node] > 0:
            t.vloss[node] -= 1
        node = t.parent[node]


cdef class Trees:
    """The trees and root states of a batch of games, and the C half of the search loop.

    All games of one ``Trees`` are of one kind and shape, so their leaves share one
    feature batch. Python (``BatchedSearch``) owns the batch buffers and calls
    ``select`` / ``backup`` in turn.
    """

    cdef Spec spec
    cdef Slot* slots
    cdef readonly int n_slots
    cdef Params params
    cdef int32_t* leaf_slot  # [max_batch]
    cdef int32_t* leaf_node  # [max_batch]
    cdef readonly int max_batch
    cdef readonly int n_leaves
    cdef GameState scratch
    cdef GameState scratch2
    cdef uint8_t* snaps  # GO_HISTORY colour snapshots along the path
    cdef int32_t path[MAX_DEPTH]
    cdef uint64_t path_keys[MAX_DEPTH]
    cdef object gumbel_seq_ref
    cdef PolicyParams rollout_params  # the heavy policy of the leaf rollouts ...
    cdef bint heavy_rollouts  # ... when set (``set_rollout``); else light rollouts
    cdef object rollout_kind_ref

    def __cinit__(self, list games, int max_batch, int init_nodes=1024):
        cdef NativeGame g0, g
        cdef int i
        if not games:
            raise ValueError("a search needs at least one game")
        self.slots = NULL
        self.leaf_slot = NULL
        self.leaf_node = NULL
        self.snaps = NULL
        self.n_slots = 0
        first = games[0]
        if isinstance(first, NativeGame):
            g0 = first
            self.spec = g0.spec
        else:
            _spec_init(&self.spec, GAME_TICTACTOE, 0, KO_SIMPLE)
            self.spec.kind = GAME_EXTERNAL
            self.spec.num_actions = int(first.num_actions)
        self.slots = <Slot*>malloc(len(games) * sizeof(Slot))
        self.leaf_slot = <int32_t*>malloc(max_batch * sizeof(int32_t))
        self.leaf_node = <int32_t*>malloc(max_batch * sizeof(int32_t))
        self.snaps = <uint8_t*>malloc(GO_HISTORY * MAX_PTS)
        if self.slots == NULL or self.leaf_slot == NULL or self.leaf_node == NULL or self.snaps == NULL:
            raise MemoryError()
        self.max_batch = max_batch
        self.n_leaves = 0
        for i in range(len(games)):
            memset(&self.slots[i], 0, sizeof(Slot))
            self.n_slots += 1
            if _tree_alloc(&self.slots[i].t, init_nodes) != 0:
                raise MemoryError()
            _tree_reset(&self.slots[i].t)
            self.slots[i].gumbel = <float*>malloc(self.spec.num_actions * sizeof(float))
            if self.slots[i].gumbel == NULL:
                raise MemoryError()
            self.slots[i].rng = 0x2545F4914F6CDD1DULL * (i + 1)
            self.set_root(i, games[i])
        self.params.c_puct = 1.25
        self.params.vloss_weight = 1.0

    def __dealloc__(self):
        cdef int i
        if self.slots != NULL:
            for i in range(self.n_slots):
                _tree_free(&self.slots[i].t)
                free(self.slots[i].keys)
                free(self.slots[i].past)
                free(self.slots[i].gumbel)
            free(self.slots)
        free(self.leaf_slot)
        free(self.leaf_node)
        free(self.snaps)

    def set_root(self, int i, game) -> None:
        """Start slot ``i`` afresh from ``game`` (a ``NativeGame``; anything for external games)."""
        cdef Slot* s = &self.slots[i]
        cdef NativeGame g
        cdef int k, nn = self.spec.n * self.spec.n
        _tree_reset(&s.t)
        s.sims = s.pending = s.target = 0
        if self.spec.kind == GAME_EXTERNAL:
            return
        g = game
        if g.spec.kind != self.spec.kind or g.spec.n != self.spec.n or g.spec.ko_rule != self.spec.ko_rule:
            raise ValueError("all games of one search must be the same game with the same size and rules")
        _g_copy(&self.spec, &s.root, &g.st)
        s.komi = g.komi
        s.max_moves = g.max_moves
        if self.spec.kind != GAME_GO:
            return
        if s.past == NULL:
            s.past = <uint8_t*>malloc((GO_HISTORY - 1) * nn)
            if s.past == NULL:
                raise MemoryError()
        memcpy(s.past, g.past, (GO_HISTORY - 1) * nn)
        s.n_past = g.n_past
        free(s.keys)
        s.keys = NULL
        s.keys_mask = 0
        s.n_keys = 0
        for k in range(g.n_keys):
            if _keys_add(s, g.keys[k]) != 0:
                raise MemoryError()

    def set_rollout(self, kind="light") -> None:
        """The playouts of the leaf rollouts (``select(..., rollouts=k)``): ``"light"`` (the
        default), ``"heavy"`` or a ``seigen.ext.board.PlayoutPolicy`` (Go; other games
        always play uniformly random moves)."""
        cdef PlayoutPolicy policy = as_policy(kind)
        self.heavy_rollouts = policy is not None
        if policy is not None:
            self.rollout_params = policy.c
        self.rollout_kind_ref = "light" if policy is None else policy

    @property
    def rollout_kind(self):
        """``"light"`` or the ``PlayoutPolicy`` of the heavy leaf rollouts."""
        return "light" if self.rollout_kind_ref is None else self.rollout_kind_ref

    def seed(self, uint64_t seed) -> None:
        """Seed every slot's random stream (playouts) from one number."""
        cdef int i
        cdef uint64_t z = seed
        for i in range(self.n_slots):
            z += 0x9E3779B97F4A7C15ULL
            self.slots[i].rng = (z ^ (z >> 31)) * 0x2545F4914F6CDD1DULL + <uint64_t>i + 1

    def configure(self, float c_puct, float c_puct_base, float fpu_reduction, float vloss_weight,
                  bint gumbel, float gumbel_c_visit, float gumbel_c_scale):
        self.params.c_puct = c_puct
        self.params.c_puct_base = c_puct_base
        self.params.fpu_reduction = fpu_reduction
        self.params.vloss_weight = vloss_weight
        self.params.gumbel = gumbel
        self.params.gumbel_c_visit = gumbel_c_visit
        self.params.gumbel_c_scale = gumbel_c_scale

    def start(self, const int32_t[::1] targets, int32_t[:, ::1] gumbel_seq=None, const float[:, ::1] gumbel=None):
        """Begin a search in every slot: ``targets[i]`` simulations (0 leaves a slot idle).

        A Gumbel root also needs ``gumbel`` (noise per action) and ``gumbel_seq[i]``, the
        sequential-halving schedule (at least ``targets[i]`` long, kept alive by the caller)."""
        cdef int i, a
        if targets.shape[0] != self.n_slots:
            raise ValueError("one target per game")
        if self.params.gumbel:
            if gumbel_seq is None or gumbel is None:
                raise ValueError("a Gumbel root needs the visit sequence and the noise")
            if gumbel_seq.shape[0] != self.n_slots or gumbel.shape[0] != self.n_slots:
                raise ValueError("one Gumbel schedule and noise row per game")
            self.gumbel_seq_ref = gumbel_seq
        for i in range(self.n_slots):
            if self.params.gumbel:
                if gumbel_seq.shape[1] < targets[i] or gumbel.shape[1] != self.spec.num_actions:
                    raise ValueError("Gumbel schedule too short or noise of the wrong width")
                self.slots[i].gseq = &gumbel_seq[i, 0]
            self.slots[i].target = targets[i]
            self.slots[i].sims = 0
            self.slots[i].pending = 0
            if gumbel is not None:
                for a in range(self.spec.num_actions):
                    self.slots[i].gumbel[a] = gumbel[i, a]

    # ---------------------------------------------------------------- select
    cdef int _descend(self, int i, float* feats, uint8_t* mask, float* rollout_out, int rollouts) noexcept nogil:
        cdef Slot* s = &self.slots[i]
        cdef Tree* t = &s.t
        cdef int node = 0, child, d, j, k, nn = self.spec.n * self.spec.n, a
        cdef float v, acc
        cdef const uint8_t* past[GO_HISTORY]
        cdef GameState* st = &self.scratch
        t.vloss[0] += 1
        while t.first[node] != NO_NODE:
            if node == 0 and self.params.gumbel:
                child = _gumbel_child(s, &self.params)
            else:
                child = _puct_child(t, node, &self.params)
            if child == NO_NODE:
                _release(t, node)
                return D_BLOCKED
            node = child
            t.vloss[node] += 1
        if t.flags[node] & F_TERMINAL:
            _backup(t, node, t.value[node])
            s.sims += 1
            return D_DONE
        if t.flags[node] & F_PENDING:
            _release(t, node)
            return D_BLOCKED
        # the path, root first
        d = 0
        j = node
        while j != 0:
            d += 1
            j = t.parent[j]
        if d >= MAX_DEPTH:
            _release(t, node)
            return D_BLOCKED
        j = node
        for k in range(d, 0, -1):
            self.path[k] = t.move[j]
            j = t.parent[j]
        if self.spec.kind == GAME_EXTERNAL:
            t.flags[node] |= F_PENDING
            self.leaf_slot[self.n_leaves] = i
            self.leaf_node[self.n_leaves] = node
            return D_LEAF
        # replay the path on a copy of the root
        _g_copy(&self.spec, st, &s.root)
        for k in range(1, d + 1):
            if self.spec.kind == GAME_GO:
                self.path_keys[k - 1] = _go_key(&st.go, self.spec.ko_rule)
                if feats != NULL and d - k < GO_HISTORY - 1:
                    _go_colors(&st.go, self.snaps + (d - k + 1) * MAX_PTS)
            _g_play(&self.spec, st, self.path[k])
        if self.spec.kind == GAME_GO and self.spec.ko_rule != KO_SIMPLE and d > 0 and self.path[d] != nn:
            acc = 0
            if _keys_has(s, _go_key(&st.go, self.spec.ko_rule)):
                acc = 1
            else:
                for k in range(d):
                    if self.path_keys[k] == _go_key(&st.go, self.spec.ko_rule):
                        acc = 1
                        break
            if acc:
                t.flags[node] |= F_INVALID
                _release(t, node)
                return D_RETRY
        if _g_terminal(&self.spec, st, s.komi, s.max_moves, &v):
            t.flags[node] |= F_TERMINAL
            t.value[node] = v
            _backup(t, node, v)
            s.sims += 1
            return D_DONE
        t.flags[node] |= F_PENDING
        _g_legal(&self.spec, st, mask)
        if feats != NULL:
            for k in range(GO_HISTORY):
                past[k] = NULL
            if self.spec.kind == GAME_GO:
                _go_colors(&st.go, self.snaps)
                for k in range(GO_HISTORY):
                    if k <= d:
                        past[k] = self.snaps + k * MAX_PTS
                    elif k - d - 1 < s.n_past:
                        past[k] = s.past + (k - d - 1) * nn
            _g_features(&self.spec, st, past, feats)
        if rollouts > 0:
            acc = 0
            for k in range(rollouts):
                _g_copy(&self.spec, &self.scratch2, st)
                acc += _g_rollout(&self.spec, &self.scratch2, s.komi, s.max_moves, &s.rng,
                                  &self.rollout_params if self.heavy_rollouts else NULL)
            rollout_out[0] = acc / rollouts
        self.leaf_slot[self.n_leaves] = i
        self.leaf_node[self.n_leaves] = node
        return D_LEAF

    def select(self, int leaves_per_tree, float[:, ::1] feats, uint8_t[:, ::1] masks,
               float[::1] rollout_values, int rollouts=0):
        """Walk every tree up to ``leaves_per_tree`` times; return (new leaves, simulations finished).

        Leaf ``j`` gets row ``j`` of ``feats`` (flattened planes; None: no features),
        ``masks`` and, with ``rollouts``, ``rollout_values`` (mean playout result, side to move).
        Terminal leaves are backed up at once and count as finished simulations."""
        cdef int i, j, r, status, done = 0, retries
        cdef int width = feats.shape[1] if feats is not None else 0
        cdef float* fp = NULL
        if masks.shape[0] < self.max_batch or masks.shape[1] != self.spec.num_actions:
            raise ValueError("mask buffer has the wrong shape")
        if feats is not None and (feats.shape[0] < self.max_batch
                                  or width != self.spec.planes * self.spec.height * self.spec.width):
            raise ValueError("feature buffer has the wrong shape")
        if rollouts > 0 and rollout_values.shape[0] < self.max_batch:
            raise ValueError("rollout buffer too small")
        self.n_leaves = 0
        with nogil:
            for i in range(self.n_slots):
                retries = 0
                j = 0
                while j < leaves_per_tree and self.n_leaves < self.max_batch:
                    if self.slots[i].sims + self.slots[i].pending >= self.slots[i].target:
                        break
                    r = self.n_leaves
                    fp = &feats[r, 0] if width else NULL
                    status = self._descend(i, fp, &masks[r, 0], &rollout_values[r] if rollouts > 0 else NULL,
                                           rollouts)
                    if status == D_LEAF:
                        self.n_leaves += 1
                        self.slots[i].pending += 1
                    elif status == D_DONE:
                        done += 1
                    elif status == D_BLOCKED:
                        break
                    elif status == D_RETRY:
                        retries += 1
                        if retries < 64:
                            continue
                        break
                    j += 1
        return self.n_leaves, done

    def leaf_path(self, int j):
        """(slot, actions from the root) of leaf ``j`` of the current batch (for Python-level games)."""
        cdef int i = self.leaf_slot[j], node = self.leaf_node[j]
        cdef Tree* t = &self.slots[i].t
        moves = []
        while node != 0:
            moves.append(t.move[node])
            node = t.parent[node]
        moves.reverse()
        return i, moves

    # ---------------------------------------------------------------- backup
    def backup(self, const float[:, ::1] logits, const uint8_t[:, ::1] masks, const float[::1] values,
               const uint8_t[::1] terminal=None):
        """Expand every leaf of the batch with softmax(logits) over its legal moves and
        back its value up. Rows flagged in ``terminal`` are game ends: no expansion."""
        cdef int j, i, node, a, k, c, A = self.spec.num_actions, need, cap
        cdef float mx, z, p
        cdef Tree* t
        if logits.shape[0] < self.n_leaves or logits.shape[1] != A or values.shape[0] < self.n_leaves:
            raise ValueError("policy/value batch has the wrong shape")
        with nogil:
            for j in range(self.n_leaves):
                i = self.leaf_slot[j]
                node = self.leaf_node[j]
                t = &self.slots[i].t
                t.flags[node] &= ~F_PENDING
                self.slots[i].pending -= 1
                self.slots[i].sims += 1
                t.value[node] = values[j]
                if terminal is not None and terminal[j]:
                    t.flags[node] |= F_TERMINAL
                    _backup(t, node, values[j])
                    continue
                k = 0
                mx = -1e30
                for a in range(A):
                    if masks[j, a]:
                        k += 1
                        if logits[j, a] > mx:
                            mx = logits[j, a]
                if k > 0:
                    need = t.n + k
                    if need > t.cap:
                        cap = t.cap * 2
                        while cap < need:
                            cap *= 2
                        if _tree_alloc(t, cap) != 0:
                            k = 0  # out of memory: leave the node a leaf
                if k > 0:
                    c = t.n
                    t.first[node] = c
                    t.nchild[node] = k
                    t.n += k
                    z = 0
                    for a in range(A):
                        if masks[j, a]:
                            p = exp(logits[j, a] - mx)
                            z += p
                            _node_init(t, c, node, a, p)
                            c += 1
                    for c in range(t.first[node], t.first[node] + k):
                        t.prior[c] /= z
                _backup(t, node, values[j])
            self.n_leaves = 0

    def abort(self) -> None:
        """Drop the current batch (its evaluation failed): leaves back to unexpanded, virtual losses released."""
        cdef int j, i, node
        for j in range(self.n_leaves):
            i = self.leaf_slot[j]
            node = self.leaf_node[j]
            self.slots[i].t.flags[node] &= ~F_PENDING
            self.slots[i].pending -= 1
            _release(&self.slots[i].t, node)
        self.n_leaves = 0

    # ---------------------------------------------------------------- results
    def done(self) -> bool:
        cdef int i
        for i in range(self.n_slots):
            if self.slots[i].sims < self.slots[i].target:
                return False
        return True

    def root_expanded(self, int i) -> bool:
        return self.slots[i].t.first[0] != NO_NODE

    def add_root_noise(self, int i, const double[::1] noise, double eps) -> None:
        """Mix ``noise`` (one per root child, in child order) into the root priors."""
        cdef Tree* t = &self.slots[i].t
        cdef int c, k
        if t.first[0] == NO_NODE or noise.shape[0] != t.nchild[0]:
            raise ValueError("noise needs an expanded root and one value per child")
        for k in range(t.nchild[0]):
            c = t.first[0] + k
            t.prior[c] = <float>((1 - eps) * t.prior[c] + eps * noise[k])

    cdef int _node_at(self, int i, path) except -2:
        """The node reached from the root by the actions in ``path`` (NO_NODE if not in the tree)."""
        cdef Tree* t = &self.slots[i].t
        cdef int node = 0, k, nxt
        for a in path:
            nxt = NO_NODE
            if t.first[node] != NO_NODE:
                for k in range(t.nchild[node]):
                    if t.move[t.first[node] + k] == a:
                        nxt = t.first[node] + k
                        break
            if nxt == NO_NODE:
                return NO_NODE
            node = nxt
        return node

    def root_children(self, int i):
        """(actions, visits, mean values (mover's view), priors, valid) of the root's children."""
        return self.node_children(i, ())

    def node_children(self, int i, path):
        """Like ``root_children`` for the node reached by the actions in ``path``."""
        cdef Tree* t = &self.slots[i].t
        cdef int node = self._node_at(i, path)
        if node == NO_NODE:
            raise KeyError(f"no node at {list(path)}")
        cdef int k = t.nchild[node] if t.first[node] != NO_NODE else 0, c, j
        actions = np.empty(k, dtype=np.int32)
        visits = np.empty(k, dtype=np.int32)
        q = np.zeros(k, dtype=np.float64)
        prior = np.empty(k, dtype=np.float32)
        valid = np.empty(k, dtype=bool)
        for j in range(k):
            c = t.first[node] + j
            actions[j] = t.move[c]
            visits[j] = t.visits[c]
            if t.visits[c] > 0:
                q[j] = t.wsum[c] / t.visits[c]
            prior[j] = t.prior[c]
            valid[j] = not (t.flags[c] & F_INVALID)
        return actions, visits, q, prior, valid

    def root_stats(self, int i):
        """(visits, mean value for the side to move, evaluator value, simulations of this search)."""
        cdef Tree* t = &self.slots[i].t
        cdef double q = -t.wsum[0] / t.visits[0] if t.visits[0] > 0 else 0.0
        return t.visits[0], q, t.value[0], self.slots[i].sims

    def principal_variation(self, int i, int start_action=-1, int max_len=32):
        """Most-visited line from the root (or from the root child ``start_action``)."""
        cdef Tree* t = &self.slots[i].t
        cdef int node = 0, c, best, k
        line = []
        if start_action >= 0:
            node = NO_NODE
            if t.first[0] != NO_NODE:
                for k in range(t.nchild[0]):
                    if t.move[t.first[0] + k] == start_action:
                        node = t.first[0] + k
            if node == NO_NODE:
                return [start_action]
            line.append(start_action)
        while t.first[node] != NO_NODE and len(line) < max_len:
            best = NO_NODE
            for k in range(t.nchild[node]):
                c = t.first[node] + k
                if t.flags[c] & F_INVALID:
                    continue
                if best == NO_NODE or t.visits[c] > t.visits[best]:
                    best = c
            if best == NO_NODE or t.visits[best] == 0:
                break
            line.append(t.move[best])
            node = best
        return line

    def node_count(self, int i) -> int:
        return self.slots[i].t.n

    def advance(self, int i, int action, bint reuse=True) -> None:
        """Play ``action`` at the root of slot ``i``; keep its subtree when ``reuse``."""
        cdef Slot* s = &self.slots[i]
        cdef Tree* t = &s.t
        cdef int c = NO_NODE, k, nn = self.spec.n * self.spec.n
        if self.spec.kind != GAME_EXTERNAL:
            if self.spec.kind == GAME_GO:
                if self.spec.ko_rule != KO_SIMPLE and _keys_add(s, _go_key(&s.root.go, self.spec.ko_rule)) != 0:
                    raise MemoryError()
                memmove_past(s.past, nn)
                _go_colors(&s.root.go, s.past)
                s.n_past = min(s.n_past + 1, GO_HISTORY - 1)
            _g_play(&self.spec, &s.root, action)
        if reuse and t.first[0] != NO_NODE:
            for k in range(t.nchild[0]):
                if t.move[t.first[0] + k] == action:
                    c = t.first[0] + k
        if c != NO_NODE and not (t.flags[c] & F_INVALID):
            _tree_reroot(t, c)
        else:
            _tree_reset(t)

    def check(self, int i) -> None:
        """Recompute the tree's invariants (tests): visits add up, no virtual loss left, parents match."""
        cdef Tree* t = &self.slots[i].t
        cdef int node, k, c, total
        for node in range(t.n):
            if t.vloss[node] != 0:
                raise AssertionError(f"node {node}: virtual loss {t.vloss[node]} left")
            if t.first[node] == NO_NODE:
                continue
            total = 0
            for k in range(t.nchild[node]):
                c = t.first[node] + k
                if t.parent[c] != node:
                    raise AssertionError(f"node {c}: parent {t.parent[c]}, expected {node}")
                total += t.visits[c]
            if total != t.visits[node] - 1:
                raise AssertionError(f"node {node}: {t.visits[node]} visits but children have {total}")

