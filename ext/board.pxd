# cython: language_level=3
"""C-level Go board shared with other extension modules (``cimport seigen.ext.board``).

Layout: a padded 1-D array of ``stride * stride`` cells with ``stride = n + 2``;
point ``(row, col)`` (row 0 at the top) lives at ``loc = (row + 1) * stride + col + 1``.
Cells around the edge hold ``WALL`` so no neighbour loop checks bounds.
Stone chains are circular linked lists (``nxt``) with a head per stone (``head``);
``csize`` and ``libs`` are valid at head locations only.
"""
from libc.stdint cimport int16_t, int32_t, uint8_t, uint64_t

cdef enum:
    MAX_N = 25
    MAX_STRIDE = 27
    MAX_ARR = 729  # MAX_STRIDE ** 2
    MAX_PTS = 625  # MAX_N ** 2

    EMPTY = 0
    BLACK = 1
    WHITE = 2
    WALL = 3

    NULL_LOC = 0  # a wall cell: "no location"
    PASS_LOC = 1  # a wall cell: the pass move

    KO_SIMPLE = 0
    KO_POSITIONAL = 1
    KO_SITUATIONAL = 2

    # why a move is illegal (0: it is legal)
    R_LEGAL = 0
    R_OCCUPIED = 1
    R_SUICIDE = 2
    R_KO = 3
    R_SUPERKO = 4
    R_OFF_BOARD = 5

    GO_HISTORY = 8  # past positions per colour in the feature planes
    GO_PLANES = 17  # AlphaGo Zero: 2 * GO_HISTORY + side to move


ctypedef struct GoBoard:
    int32_t n
    int32_t stride
    int32_t size  # stride * stride
    int32_t n_empty
    int32_t ko  # point where ko_color may not play next, or NULL_LOC
    int32_t passes  # consecutive passes
    int32_t move_num
    int32_t captures[3]  # stones captured BY each colour
    int32_t last_move  # the last move played (PASS_LOC for a pass), NULL_LOC when none is known
    uint64_t hash  # Zobrist hash of the stones only
    uint8_t ko_color
    uint8_t to_play
    uint8_t allow_suicide  # multi-stone suicide; single-stone suicide is never legal
    uint8_t _pad
    uint8_t color[MAX_ARR]
    int16_t head[MAX_ARR]
    int16_t nxt[MAX_ARR]
    int16_t csize[MAX_ARR]
    int16_t libs[MAX_ARR]
    int16_t empty_idx[MAX_ARR]
    int16_t empty[MAX_PTS]


cdef uint64_t ZOB[4][MAX_ARR]


ctypedef struct PolicyParams:
    # the heavy playout policy: see ``PlayoutPolicy`` in board.pyx for meanings and defaults
    double save  # 1. probability of trying to save own chains the last move put in atari
    double capture  # 2. ... of trying to capture a chain in atari near the last move
    double capture_any  # 2b. ... then, when none is near, of looking over the whole board
    double pattern  # 3. ... of trying a 3x3 shape next to the last move
    double self_atari_reject  # probability of refusing a self-atari of more than ...
    int32_t self_atari_stones  # ... this many stones (the chain after the move)

cdef void board_init(GoBoard* b, int n, bint allow_suicide) noexcept nogil
cdef void board_copy(GoBoard* dst, const GoBoard* src) noexcept nogil
cdef void board_rebuild(GoBoard* b) noexcept nogil
cdef bint is_suicide(const GoBoard* b, int loc, int pla) noexcept nogil
cdef bint is_legal_simple(const GoBoard* b, int loc, int pla) noexcept nogil
cdef uint64_t hash_after(const GoBoard* b, int loc, int pla) noexcept nogil
cdef int play_unchecked(GoBoard* b, int loc, int pla) noexcept nogil
cdef bint is_eyeish(const GoBoard* b, int loc, int pla) noexcept nogil
cdef void area_counts(const GoBoard* b, int32_t* black, int32_t* white) noexcept nogil
cdef void area_owner(const GoBoard* b, signed char* owner) noexcept nogil
cdef int playout(GoBoard* b, uint64_t* rng, int max_moves, uint8_t* first, bint no_self_atari) noexcept nogil
cdef int heavy_move(GoBoard* b, uint64_t* rng, const PolicyParams* pol) noexcept nogil
cdef int run_playout(GoBoard* b, uint64_t* rng, int max_moves, uint8_t* first, bint no_self_atari,
                     const PolicyParams* pol) noexcept nogil
cdef uint64_t rng_next(uint64_t* s) noexcept nogil
cdef int _libs_after(const GoBoard* b, int loc, int pla, int target, int limit) noexcept nogil


cdef class PlayoutPolicy:
    cdef PolicyParams c


cdef PlayoutPolicy as_policy(object kind)


cdef class CBoard:
    cdef GoBoard cur
    cdef GoBoard* stack  # earlier positions, oldest first: the undo stack
    cdef uint64_t* hist  # (hash, to_play) of each stack entry, packed for fast superko scans
    cdef int depth
    cdef int cap
    cdef readonly int ko_rule

    cdef int _reserve(self, int cap) except -1
    cdef int _push(self) except -1
    cdef bint _repeats(self, uint64_t h, int next_pla) noexcept nogil
    cdef int _reason(self, int loc, int pla) noexcept nogil
