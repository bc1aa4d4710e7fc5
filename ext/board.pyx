# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The Go board in C: rules, Zobrist hashing, light playouts and feature planes.

Everything on the move path is a ``noexcept nogil`` C function over one fixed-size
``GoBoard`` struct (see ``board.pxd``); copying a board is a ``memcpy`` of its live part
(``board_copy``: the header and the first ``stride * stride`` cells of each array).
``CBoard`` adds what a game needs on top of the struct -- the undo stack, the hash
history for superko, and batch entry points (playouts, features) that release the
GIL -- and is what ``seigen.engine.Board`` wraps.
"""
from libc.stdint cimport int16_t, int32_t, uint8_t, uint64_t
from libc.stdlib cimport free, realloc
from libc.math cimport log, sqrt
from libc.string cimport memcpy, memset

import numpy as np

# ---------------------------------------------------------------- constants

ctypedef fused feat_t:
    float
    uint8_t

LEGAL = R_LEGAL
OCCUPIED = R_OCCUPIED
SUICIDE = R_SUICIDE
KO = R_KO
SUPERKO = R_SUPERKO
OFF_BOARD = R_OFF_BOARD

REASONS = {
    OCCUPIED: "occupied",
    SUICIDE: "suicide",
    KO: "ko",
    SUPERKO: "superko",
    OFF_BOARD: "off the board",
}

N_PLANES = GO_PLANES
N_HISTORY = GO_HISTORY

# ------------------------------------------------------------------ hashing


cdef inline uint64_t _splitmix(uint64_t* s) noexcept nogil:
    s[0] += 0x9E3779B97F4A7C15ULL
    cdef uint64_t z = s[0]
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL
    return z ^ (z >> 31)


cdef uint64_t rng_next(uint64_t* s) noexcept nogil:
    """xorshift64*: the playout random stream (state must be non-zero)."""
    return _rng(s)


cdef inline uint64_t _rng(uint64_t* s) noexcept nogil:
    cdef uint64_t x = s[0]
    x ^= x >> 12
    x ^= x << 25
    x ^= x >> 27
    s[0] = x
    return x * 0x2545F4914F6CDD1DULL


cdef inline int _below(uint64_t* s, int n) noexcept nogil:
    return <int>(((_rng(s) >> 32) * <uint64_t>n) >> 32)


cdef uint64_t ZOB_TO_PLAY[3]


cdef void _init_zobrist():
    cdef uint64_t s = 0x5E16E4B0A2D1C3F7ULL
    cdef int c, i
    for c in range(4):
        for i in range(MAX_ARR):
            ZOB[c][i] = _splitmix(&s) if (c == BLACK or c == WHITE) else 0
    for c in range(3):
        ZOB_TO_PLAY[c] = _splitmix(&s)


_init_zobrist()

# ------------------------------------------------------------- board core


cdef inline void _neighbour_offsets(const GoBoard* b, int* dirs) noexcept nogil:
    """The four orthogonal neighbour offsets of the padded array: up, left, right, down."""
    dirs[0] = -b.stride
    dirs[1] = -1
    dirs[2] = 1
    dirs[3] = b.stride


cdef inline void _add_empty(GoBoard* b, int loc) noexcept nogil:
    b.empty_idx[loc] = b.n_empty
    b.empty[b.n_empty] = loc
    b.n_empty += 1


cdef inline void _remove_empty(GoBoard* b, int loc) noexcept nogil:
    cdef int i = b.empty_idx[loc]
    cdef int last = b.empty[b.n_empty - 1]
    b.empty[i] = last
    b.empty_idx[last] = i
    b.n_empty -= 1


cdef void board_init(GoBoard* b, int n, bint allow_suicide) noexcept nogil:
    """An empty ``n`` x ``n`` board, black to play."""
    memset(b, 0, sizeof(GoBoard))
    b.n = n
    b.stride = n + 2
    b.size = b.stride * b.stride
    b.ko = NULL_LOC
    b.to_play = BLACK
    b.allow_suicide = allow_suicide
    cdef int loc, r, c
    for loc in range(MAX_ARR):
        b.color[loc] = WALL
    for r in range(n):
        for c in range(n):
            loc = (r + 1) * b.stride + c + 1
            b.color[loc] = EMPTY
            _add_empty(b, loc)


cdef void board_copy(GoBoard* dst, const GoBoard* src) noexcept nogil:
    """Copy the live part of a board: the header and the first ``size`` cells of each array."""
    cdef size_t n = src.size
    memcpy(dst, src, <size_t>(<const char*>&src.color[0] - <const char*>src))
    memcpy(dst.color, src.color, n)
    memcpy(dst.head, src.head, n * sizeof(int16_t))
    memcpy(dst.nxt, src.nxt, n * sizeof(int16_t))
    memcpy(dst.csize, src.csize, n * sizeof(int16_t))
    memcpy(dst.libs, src.libs, n * sizeof(int16_t))
    memcpy(dst.empty_idx, src.empty_idx, n * sizeof(int16_t))
    memcpy(dst.empty, src.empty, src.n_empty * sizeof(int16_t))


cdef inline int _distinct_heads(const GoBoard* b, int loc, int* heads) noexcept nogil:
    """Heads of the chains next to ``loc``, each once; returns how many."""
    cdef int k = 0, d, a, h, j
    cdef int dirs[4]
    _neighbour_offsets(b, dirs)
    for d in range(4):
        a = loc + dirs[d]
        if b.color[a] == BLACK or b.color[a] == WHITE:
            h = b.head[a]
            for j in range(k):
                if heads[j] == h:
                    break
            else:
                heads[k] = h
                k += 1
    return k


cdef bint is_suicide(const GoBoard* b, int loc, int pla) noexcept nogil:
    """Would ``pla`` at empty ``loc`` leave its own chain without liberties?"""
    return _suicide(b, loc, pla)


cdef inline bint _suicide(const GoBoard* b, int loc, int pla) noexcept nogil:
    cdef int d, a, c
    cdef int opp = 3 - pla
    cdef int dirs[4]
    _neighbour_offsets(b, dirs)
    for d in range(4):
        a = loc + dirs[d]
        c = b.color[a]
        if c == EMPTY:
            return False
        if c == pla and b.libs[b.head[a]] > 1:
            return False
        if c == opp and b.libs[b.head[a]] == 1:
            return False
    return True


cdef inline bint _has_own_neighbor(const GoBoard* b, int loc, int pla) noexcept nogil:
    return (b.color[loc - b.stride] == pla or b.color[loc - 1] == pla
            or b.color[loc + 1] == pla or b.color[loc + b.stride] == pla)


cdef inline int _legal_simple_reason(const GoBoard* b, int loc, int pla) noexcept nogil:
    if loc == PASS_LOC:
        return R_LEGAL
    if loc < 0 or loc >= b.size or b.color[loc] == WALL:
        return R_OFF_BOARD
    if b.color[loc] != EMPTY:
        return R_OCCUPIED
    if loc == b.ko and pla == b.ko_color:
        return R_KO
    if _suicide(b, loc, pla):
        if not b.allow_suicide or not _has_own_neighbor(b, loc, pla):
            return R_SUICIDE
    return R_LEGAL


cdef bint is_legal_simple(const GoBoard* b, int loc, int pla) noexcept nogil:
    """Legal under simple ko (no superko): the playout and hot-path check."""
    return _legal_simple_reason(b, loc, pla) == R_LEGAL


cdef uint64_t hash_after(const GoBoard* b, int loc, int pla) noexcept nogil:
    """The stone hash after ``pla`` plays legal ``loc``, without playing it."""
    if loc == PASS_LOC:
        return b.hash
    cdef uint64_t h = b.hash ^ ZOB[pla][loc]
    cdef int heads[4]
    cdef int k = _distinct_heads(b, loc, heads)
    cdef int i, s
    cdef int opp = 3 - pla
    cdef bint captured = False
    for i in range(k):
        if b.color[heads[i]] == opp and b.libs[heads[i]] == 1:
            captured = True
            s = heads[i]
            while True:
                h ^= ZOB[opp][s]
                s = b.nxt[s]
                if s == heads[i]:
                    break
    if not captured and _suicide(b, loc, pla):
        h ^= ZOB[pla][loc]
        for i in range(k):
            if b.color[heads[i]] == pla:
                s = heads[i]
                while True:
                    h ^= ZOB[pla][s]
                    s = b.nxt[s]
                    if s == heads[i]:
                        break
    return h


cdef inline void _merge(GoBoard* b, int keep, int gone) noexcept nogil:
    """Fold chain ``gone`` into chain ``keep`` (both heads)."""
    cdef int s = gone
    while True:
        b.head[s] = keep
        s = b.nxt[s]
        if s == gone:
            break
    cdef int tmp = b.nxt[keep]
    b.nxt[keep] = b.nxt[gone]
    b.nxt[gone] = tmp
    b.csize[keep] += b.csize[gone]


cdef int _count_libs(const GoBoard* b, int h) noexcept nogil:
    cdef uint8_t seen[MAX_ARR]
    memset(seen, 0, b.size)
    cdef int n = 0, s = h, d, a
    cdef int dirs[4]
    _neighbour_offsets(b, dirs)
    while True:
        for d in range(4):
            a = s + dirs[d]
            if b.color[a] == EMPTY and not seen[a]:
                seen[a] = 1
                n += 1
        s = b.nxt[s]
        if s == h:
            break
    return n


cdef inline bint _touches(const GoBoard* b, int e, int h) noexcept nogil:
    """Is empty point ``e`` next to a stone of chain ``h``? (heads are 0 on empty points)"""
    return (b.head[e - b.stride] == h or b.head[e - 1] == h
            or b.head[e + 1] == h or b.head[e + b.stride] == h)


cdef int _libs_beyond(const GoBoard* b, int best, int loc, const int* heads, int k, int pla) noexcept nogil:
    """Empty points next to ``loc`` or to the friendly chains in ``heads`` other than
    ``best`` that are not already liberties of ``best``, each counted once."""
    cdef uint8_t seen[MAX_ARR]
    memset(seen, 0, b.size)
    cdef int n = 0, i, d, x, e, h
    cdef int dirs[4]
    _neighbour_offsets(b, dirs)
    for i in range(k + 1):
        if i < k:
            h = heads[i]
            if b.color[h] != pla or h == best:
                continue
        else:
            h = loc  # the new stone, still a chain of its own
        x = h
        while True:
            for d in range(4):
                e = x + dirs[d]
                if b.color[e] == EMPTY and not seen[e]:
                    seen[e] = 1
                    if not _touches(b, e, best):
                        n += 1
            x = b.nxt[x]
            if x == h:
                break
    return n


cdef int _remove_chain(GoBoard* b, int h) noexcept nogil:
    """Take chain ``h`` off the board, giving liberties to its neighbours."""
    cdef int col = b.color[h]
    cdef int n = 0, s = h, nx, i, k
    cdef int heads[4]
    while True:
        nx = b.nxt[s]
        b.color[s] = EMPTY
        b.hash ^= ZOB[col][s]
        _add_empty(b, s)
        n += 1
        s = nx
        if s == h:
            break
    # second pass: every removed point is now a liberty of each distinct adjacent chain
    s = h
    while True:
        nx = b.nxt[s]
        k = _distinct_heads(b, s, heads)
        for i in range(k):
            b.libs[heads[i]] += 1
        b.head[s] = 0
        s = nx
        if s == h:
            break
    return n


cdef int play_unchecked(GoBoard* b, int loc, int pla) noexcept nogil:
    """Play a move already known to be legal; returns the number of stones captured.

    Relies on ``head`` being 0 on every empty point (kept by ``_remove_chain``).
    """
    cdef int opp = 3 - pla
    b.move_num += 1
    b.to_play = opp
    b.ko = NULL_LOC
    b.last_move = loc
    if loc == PASS_LOC:
        b.passes += 1
        return 0
    b.passes = 0
    cdef int s = b.stride
    cdef int nbr[4]
    nbr[0] = loc - s
    nbr[1] = loc - 1
    nbr[2] = loc + 1
    nbr[3] = loc + s
    # one pass over the neighbours: distinct adjacent chains, friendly ones, empty points
    cdef int heads[4]
    cdef int empties[4]
    cdef int k = 0, n_lib = 0, n_friend = 0, friend = 0
    cdef int i, j, d, a, c, h, e, best, add
    for d in range(4):
        a = nbr[d]
        c = b.color[a]
        if c == EMPTY:
            empties[n_lib] = a
            n_lib += 1
        elif c != WALL:
            h = b.head[a]
            for j in range(k):
                if heads[j] == h:
                    break
            else:
                heads[k] = h
                k += 1
                if c == pla:
                    n_friend += 1
                    friend = h

    b.color[loc] = pla
    b.hash ^= ZOB[pla][loc]
    _remove_empty(b, loc)
    for i in range(k):
        b.libs[heads[i]] -= 1

    if n_friend == 0:
        b.head[loc] = loc
        b.nxt[loc] = loc
        b.csize[loc] = 1
        b.libs[loc] = n_lib
    elif n_friend == 1:
        # the new stone's empty neighbours that the chain did not already touch
        add = 0
        for j in range(n_lib):
            e = empties[j]
            if (b.head[e - s] != friend and b.head[e - 1] != friend
                    and b.head[e + 1] != friend and b.head[e + s] != friend):
                add += 1
        b.head[loc] = friend
        b.nxt[loc] = b.nxt[friend]
        b.nxt[friend] = loc
        b.csize[friend] += 1
        b.libs[friend] += add
    else:
        b.head[loc] = loc
        b.nxt[loc] = loc
        b.csize[loc] = 1
        best = -1
        for i in range(k):
            if b.color[heads[i]] == pla and (best < 0 or b.csize[heads[i]] > b.csize[best]):
                best = heads[i]
        # liberties of the merged chain: the largest chain's, plus those of the smaller
        # chains and the new stone that it does not already have (walks the small ones only)
        add = _libs_beyond(b, best, loc, heads, k, pla)
        _merge(b, best, loc)
        for i in range(k):
            if b.color[heads[i]] == pla and heads[i] != best:
                _merge(b, best, heads[i])
        b.libs[best] += add

    cdef int captured = 0, last_captured = NULL_LOC
    for i in range(k):
        h = heads[i]
        if b.color[h] == opp and b.libs[h] == 0:
            last_captured = h
            captured += _remove_chain(b, h)
    b.captures[pla] += captured

    h = b.head[loc]
    if b.libs[h] == 0:  # multi-stone suicide, where the rules allow it
        b.captures[opp] += _remove_chain(b, h)
    elif captured == 1 and b.csize[h] == 1 and b.libs[h] == 1:
        b.ko = last_captured
        b.ko_color = opp
    return captured


cdef bint is_eyeish(const GoBoard* b, int loc, int pla) noexcept nogil:
    """A single-point eye of ``pla`` that a light playout should not fill.

    All four neighbours are ``pla`` or wall, and the diagonals are not held by the
    opponent (none on the edge, at most one in the middle), so it is not a false eye.
    """
    return _eyeish(b, loc, pla)


cdef inline bint _eyeish(const GoBoard* b, int loc, int pla) noexcept nogil:
    cdef int s = b.stride, c
    c = b.color[loc - s]
    if c != pla and c != WALL:
        return False
    c = b.color[loc - 1]
    if c != pla and c != WALL:
        return False
    c = b.color[loc + 1]
    if c != pla and c != WALL:
        return False
    c = b.color[loc + s]
    if c != pla and c != WALL:
        return False
    cdef int opp = 3 - pla, n_opp = 0
    cdef bint edge = False
    cdef int diag[4]
    diag[0] = -s - 1
    diag[1] = -s + 1
    diag[2] = s - 1
    diag[3] = s + 1
    for c in range(4):
        if b.color[loc + diag[c]] == WALL:
            edge = True
        elif b.color[loc + diag[c]] == opp:
            n_opp += 1
    return n_opp == 0 if edge else n_opp <= 1


cdef void _area(const GoBoard* b, signed char* owner, int32_t* black, int32_t* white) noexcept nogil:
    """Tromp-Taylor area: stones plus empty regions that reach only one colour."""
    cdef uint8_t seen[MAX_ARR]
    cdef int16_t stack[MAX_PTS]
    cdef int16_t region[MAX_PTS]
    memset(seen, 0, b.size)
    cdef int nb = 0, nw = 0, r, c, loc, sp, nr, p, d, a, i
    cdef signed char who
    cdef bint reach_b, reach_w
    cdef int dirs[4]
    _neighbour_offsets(b, dirs)
    for r in range(b.n):
        for c in range(b.n):
            loc = (r + 1) * b.stride + c + 1
            if b.color[loc] == BLACK:
                nb += 1
                if owner != NULL:
                    owner[loc] = 1
            elif b.color[loc] == WHITE:
                nw += 1
                if owner != NULL:
                    owner[loc] = -1
            elif not seen[loc]:
                reach_b = False
                reach_w = False
                sp = 0
                nr = 0
                stack[sp] = loc
                sp += 1
                seen[loc] = 1
                while sp > 0:
                    sp -= 1
                    p = stack[sp]
                    region[nr] = p
                    nr += 1
                    for d in range(4):
                        a = p + dirs[d]
                        if b.color[a] == EMPTY:
                            if not seen[a]:
                                seen[a] = 1
                                stack[sp] = a
                                sp += 1
                        elif b.color[a] == BLACK:
                            reach_b = True
                        elif b.color[a] == WHITE:
                            reach_w = True
                who = 0
                if reach_b and not reach_w:
                    nb += nr
                    who = 1
                elif reach_w and not reach_b:
                    nw += nr
                    who = -1
                if owner != NULL:
                    for i in range(nr):
                        owner[region[i]] = who
    black[0] = nb
    white[0] = nw


cdef void area_counts(const GoBoard* b, int32_t* black, int32_t* white) noexcept nogil:
    _area(b, NULL, black, white)


cdef void area_owner(const GoBoard* b, signed char* owner) noexcept nogil:
    cdef int32_t nb, nw
    _area(b, owner, &nb, &nw)


cdef inline bint _playout_ok(const GoBoard* b, int loc, int pla) noexcept nogil:
    """Empty ``loc`` is legal for ``pla`` (simple ko, no suicide) and not its own eye."""
    cdef int s = b.stride
    cdef int n0 = b.color[loc - s], n1 = b.color[loc - 1], n2 = b.color[loc + 1], n3 = b.color[loc + s]
    if n0 == EMPTY or n1 == EMPTY or n2 == EMPTY or n3 == EMPTY:
        return True  # a liberty: no suicide, no eye, and never the ko point
    if loc == b.ko and pla == b.ko_color:
        return False
    if ((n0 == pla or n0 == WALL) and (n1 == pla or n1 == WALL)
            and (n2 == pla or n2 == WALL) and (n3 == pla or n3 == WALL)
            and _eyeish(b, loc, pla)):
        return False
    return not _suicide(b, loc, pla)


cdef bint _group_self_atari(const GoBoard* b, int loc, int pla) noexcept nogil:
    """Would ``pla`` at ``loc`` join a chain of its own and leave it with one liberty,
    capturing nothing? (Single-stone self-atari -- throw-ins, nakade -- is not counted.)"""
    cdef int s = b.stride, d, a, c, h, x, e, j, dd, k = 0, n_libs = 0
    cdef int found[2]
    cdef int heads[4]
    cdef int nbr[4]
    nbr[0] = loc - s
    nbr[1] = loc - 1
    nbr[2] = loc + 1
    nbr[3] = loc + s
    for d in range(4):
        a = nbr[d]
        c = b.color[a]
        if c == EMPTY:
            if n_libs == 0 or found[0] != a:
                if n_libs == 1:
                    return False  # two liberties already
                found[n_libs] = a
                n_libs += 1
        elif c == 3 - pla:
            if b.libs[b.head[a]] == 1:
                return False  # it captures
        elif c == pla:
            h = b.head[a]
            if b.libs[h] >= 3:
                return False  # keeps two liberties besides loc
            for j in range(k):
                if heads[j] == h:
                    break
            else:
                heads[k] = h
                k += 1
    if k == 0:
        return False
    for j in range(k):
        x = heads[j]
        while True:
            for dd in range(4):
                e = x + nbr[dd] - loc
                if b.color[e] == EMPTY and e != loc and (n_libs == 0 or found[0] != e):
                    if n_libs == 1:
                        return False
                    found[n_libs] = e
                    n_libs += 1
            x = b.nxt[x]
            if x == heads[j]:
                break
    return n_libs <= 1


cdef inline void _drop_candidate(GoBoard* b, int i, int n) noexcept nogil:
    """Swap the rejected empty point at ``b.empty[i]`` with ``b.empty[n]``, just past the
    shrunk candidate range ``0 .. n - 1`` (the order of the empty list does not matter)."""
    cdef int loc = b.empty[i], last = b.empty[n]
    b.empty[i] = last
    b.empty_idx[last] = i
    b.empty[n] = loc
    b.empty_idx[loc] = n


cdef inline int _light_move(GoBoard* b, uint64_t* rng, bint no_self_atari) noexcept nogil:
    """A uniformly random legal move for the side to move that fills no own eye (with
    ``no_self_atari``, that puts no chain of two or more stones in atari either); a
    pass when there is none. Rejected points are swapped out of the candidate range."""
    cdef int pla = b.to_play, n = b.n_empty, i, loc
    while n > 0:
        i = _below(rng, n)
        loc = b.empty[i]
        if _playout_ok(b, loc, pla) and not (no_self_atari and _group_self_atari(b, loc, pla)):
            return loc
        n -= 1
        _drop_candidate(b, i, n)
    return PASS_LOC


# ---------------------------------------------------------- heavy playouts
#
# MoGo/Fuego/Pachi-style playouts: after each move, rules tried in a fixed order, each
# with its own probability (``PolicyParams``, set from Python through ``PlayoutPolicy``):
#   1. save: own chains the last move put in atari escape, by extending on their
#      liberty or capturing a neighbouring chain in atari, when that leaves them >= 2
#      liberties (no ladder-like escapes to one liberty);
#   2. capture: a chain in atari at or next to the last move (its 3x3 neighbourhood);
#      when none is there, with ``capture_any``, one anywhere on the board;
#   3. pattern: a 3x3 shape (``seigen.ext.patterns``) on one of the 8 points around
#      the last move;
#   4. random: a uniformly random legal move that fills no own eye (the light rule).
# Every rule's candidates are legal, fill no own eye, and a self-atari of more than
# ``self_atari_stones`` stones is refused with probability ``self_atari_reject``.
# All the work is local to the last move, except ``capture_any``'s one scan.

cdef uint8_t PAT3[8192]  # bit ``code`` set: the 3x3 neighbourhood ``code`` is a shape


cdef void _init_patterns():
    from seigen.ext.patterns import pattern_codes

    memset(PAT3, 0, sizeof(PAT3))
    for code in pattern_codes():
        PAT3[code >> 3] |= 1 << (code & 7)


_init_patterns()


cdef inline int _code3(const GoBoard* b, int p) noexcept nogil:
    """The 3x3 neighbourhood code of ``p``: neighbours NW, N, NE, W, E, SW, S, SE, two bits
    each (the colour values, wall = off the board), lowest first."""
    cdef int s = b.stride
    return (b.color[p - s - 1] | (b.color[p - s] << 2) | (b.color[p - s + 1] << 4) | (b.color[p - 1] << 6)
            | (b.color[p + 1] << 8) | (b.color[p + s - 1] << 10) | (b.color[p + s] << 12)
            | (b.color[p + s + 1] << 14))


cdef inline void _around(const GoBoard* b, int* out) noexcept nogil:
    """The offsets of the 8 points around a point, in neighbourhood-code order."""
    cdef int s = b.stride
    out[0] = -s - 1
    out[1] = -s
    out[2] = -s + 1
    out[3] = -1
    out[4] = 1
    out[5] = s - 1
    out[6] = s
    out[7] = s + 1


cdef inline bint _pattern_at(const GoBoard* b, int p) noexcept nogil:
    cdef int code = _code3(b, p)
    return (PAT3[code >> 3] >> (code & 7)) & 1


cdef inline bint _chance(uint64_t* rng, double p) noexcept nogil:
    """True with probability ``p``; draws nothing when ``p`` is 0 or 1."""
    if p <= 0.0:
        return False
    if p >= 1.0:
        return True
    return (_rng(rng) >> 11) * (1.0 / 9007199254740992.0) < p


cdef inline int _add_point(int* pts, int n, int p) noexcept nogil:
    """Append ``p`` to ``pts[0 .. n-1]`` unless there; returns the new count."""
    cdef int i
    for i in range(n):
        if pts[i] == p:
            return n
    pts[n] = p
    return n + 1


cdef inline int _a_liberty(const GoBoard* b, int h) noexcept nogil:
    """Some liberty of chain ``h`` (the only one when it is in atari)."""
    cdef int s = b.stride, x = h
    while True:
        if b.color[x - s] == EMPTY:
            return x - s
        if b.color[x - 1] == EMPTY:
            return x - 1
        if b.color[x + 1] == EMPTY:
            return x + 1
        if b.color[x + s] == EMPTY:
            return x + s
        x = b.nxt[x]
        if x == h:
            return NULL_LOC


cdef int _libs_after(const GoBoard* b, int loc, int pla, int target, int limit) noexcept nogil:
    """Liberties, counted up to ``limit`` (<= 8), of ``pla``'s chain through stone ``target``
    (through ``loc`` itself when ``target`` is 0) after ``pla`` plays empty ``loc``,
    the points of the chains it captures included."""
    cdef int dirs[4]
    cdef int friends[4]
    cdef int caps[4]
    cdef int libs[8]
    cdef int nf = 0, nc = 0, n = 0, d, j, a, c, h, x, e, th
    cdef int opp = 3 - pla
    cdef bint via_loc, adj
    _neighbour_offsets(b, dirs)
    for d in range(4):
        a = loc + dirs[d]
        c = b.color[a]
        if c == pla:
            nf = _add_point(friends, nf, b.head[a])
        elif c == opp and b.libs[b.head[a]] == 1:
            nc = _add_point(caps, nc, b.head[a])
    via_loc = True
    if target != 0:
        th = b.head[target]
        via_loc = False
        for j in range(nf):
            if friends[j] == th:
                via_loc = True
        if not via_loc:
            friends[0] = th
            nf = 1
    if via_loc:
        for d in range(4):
            if b.color[loc + dirs[d]] == EMPTY:
                n = _add_point(libs, n, loc + dirs[d])
        if n >= limit:
            return n
    # stones of the captured chains next to the chain become its liberties
    for j in range(nc):
        x = caps[j]
        while True:
            adj = False
            for d in range(4):
                a = x + dirs[d]
                if via_loc and a == loc:
                    adj = True
                else:
                    h = b.head[a]
                    if h != 0 and b.color[a] == pla:
                        for c in range(nf):
                            if friends[c] == h:
                                adj = True
            if adj:
                n = _add_point(libs, n, x)
                if n >= limit:
                    return n
            x = b.nxt[x]
            if x == caps[j]:
                break
    # empty points next to the friendly chains
    for j in range(nf):
        x = friends[j]
        while True:
            for d in range(4):
                e = x + dirs[d]
                if b.color[e] == EMPTY and e != loc:
                    n = _add_point(libs, n, e)
                    if n >= limit:
                        return n
            x = b.nxt[x]
            if x == friends[j]:
                break
    return n


cdef bint _joined_self_atari(const GoBoard* b, int loc, int pla, int max_stones) noexcept nogil:
    """``_big_self_atari`` past its quick test: the size of the chain, then its liberties."""
    cdef int size = 1, d, j, a, k = 0
    cdef int heads[4]
    cdef int dirs[4]
    _neighbour_offsets(b, dirs)
    for d in range(4):
        a = loc + dirs[d]
        if b.color[a] == pla:
            j = k
            k = _add_point(heads, k, b.head[a])
            if k != j:
                size += b.csize[b.head[a]]
    if size <= max_stones:
        return False
    return _libs_after(b, loc, pla, 0, 2) < 2


cdef inline bint _big_self_atari(const GoBoard* b, int loc, int pla, int max_stones) noexcept nogil:
    """Would ``pla`` at legal ``loc`` leave its chain there with one liberty and more
    than ``max_stones`` stones? (Captures count as liberties.)"""
    cdef int s = b.stride
    if ((b.color[loc - s] == EMPTY) + (b.color[loc - 1] == EMPTY) + (b.color[loc + 1] == EMPTY)
            + (b.color[loc + s] == EMPTY)) >= 2:
        return False  # two liberties at least
    return _joined_self_atari(b, loc, pla, max_stones)


cdef inline bint _refused(const GoBoard* b, int loc, int pla, const PolicyParams* pol, uint64_t* rng) noexcept nogil:
    """The self-atari filter: a big self-atari, refused with probability ``self_atari_reject``."""
    return (pol.self_atari_reject > 0.0 and _big_self_atari(b, loc, pla, pol.self_atari_stones)
            and _chance(rng, pol.self_atari_reject))


cdef inline bint _may_play(const GoBoard* b, int loc, int pla) noexcept nogil:
    """Empty ``loc`` passes the light rule: legal (simple ko, no suicide), not an own eye."""
    return b.color[loc] == EMPTY and _playout_ok(b, loc, pla)


cdef int _save_moves(const GoBoard* b, int last, int pla, int* out) noexcept nogil:
    """Rule 1: escapes of own chains next to ``last`` that are in atari, each leaving the
    chain at least two liberties: extend on the liberty, or capture a neighbour in atari."""
    cdef int dirs[4]
    cdef int seen[4]
    cdef int caps[16]
    cdef int n = 0, ns = 0, nc, d, dd, a, h, x, e, lib, i
    cdef int opp = 3 - pla
    _neighbour_offsets(b, dirs)
    for d in range(4):
        a = last + dirs[d]
        if b.color[a] != pla or b.libs[b.head[a]] != 1:
            continue
        h = b.head[a]
        i = ns
        ns = _add_point(seen, ns, h)
        if ns == i:
            continue
        lib = _a_liberty(b, h)
        if _may_play(b, lib, pla) and _libs_after(b, lib, pla, h, 2) >= 2:
            n = _add_point(out, n, lib)
        # neighbouring opponent chains in atari, each once (at most 16 looked at)
        nc = 0
        x = h
        while True:
            for dd in range(4):
                e = x + dirs[dd]
                if b.color[e] == opp and b.libs[b.head[e]] == 1 and nc < 16:
                    nc = _add_point(caps, nc, b.head[e])
            x = b.nxt[x]
            if x == h:
                break
        for i in range(nc):
            lib = _a_liberty(b, caps[i])
            if _may_play(b, lib, pla) and _libs_after(b, lib, pla, h, 2) >= 2:
                n = _add_point(out, n, lib)
    return n


cdef int _capture_moves(const GoBoard* b, int last, int pla, const PolicyParams* pol, uint64_t* rng,
                        int* out) noexcept nogil:
    """Rule 2: liberties of opponent chains in atari at ``last`` or on its 8 neighbours."""
    cdef int n = 0, k, a, lib
    cdef int opp = 3 - pla
    cdef int around[9]
    _around(b, around)
    around[8] = 0  # and the last move's own chain
    for k in range(9):
        a = last + around[k]
        if b.color[a] == opp and b.libs[b.head[a]] == 1:
            lib = _a_liberty(b, b.head[a])
            if _may_play(b, lib, pla) and not _refused(b, lib, pla, pol, rng):
                n = _add_point(out, n, lib)
    return n


cdef int _capture_anywhere(GoBoard* b, int pla, const PolicyParams* pol, uint64_t* rng, int* out) noexcept nogil:
    """Rule 2b: one scan of the empty points for liberties of opponent chains in atari."""
    cdef int s = b.stride, n = 0, i, e
    cdef int opp = 3 - pla
    for i in range(b.n_empty):
        e = b.empty[i]
        if ((b.color[e - s] == opp and b.libs[b.head[e - s]] == 1)
                or (b.color[e - 1] == opp and b.libs[b.head[e - 1]] == 1)
                or (b.color[e + 1] == opp and b.libs[b.head[e + 1]] == 1)
                or (b.color[e + s] == opp and b.libs[b.head[e + s]] == 1)):
            if _playout_ok(b, e, pla) and not _refused(b, e, pla, pol, rng):
                out[n] = e
                n += 1
                if n == 16:
                    break
    return n


cdef int _pattern_moves(const GoBoard* b, int last, int pla, const PolicyParams* pol, uint64_t* rng,
                        int* out) noexcept nogil:
    """Rule 3: the empty points around ``last`` whose 3x3 neighbourhood is a shape."""
    cdef int n = 0, k, p
    cdef int around[8]
    _around(b, around)
    for k in range(8):
        p = last + around[k]
        if (b.color[p] == EMPTY and _pattern_at(b, p) and _playout_ok(b, p, pla)
                and not _refused(b, p, pla, pol, rng)):
            out[n] = p
            n += 1
    return n


cdef int _random_move(GoBoard* b, uint64_t* rng, int pla, const PolicyParams* pol) noexcept nogil:
    """Rule 4: a uniformly random legal move that fills no own eye and passes the
    self-atari filter; a pass when there is none."""
    cdef int n = b.n_empty, i, loc
    while n > 0:
        i = _below(rng, n)
        loc = b.empty[i]
        if _playout_ok(b, loc, pla) and not _refused(b, loc, pla, pol, rng):
            return loc
        n -= 1
        _drop_candidate(b, i, n)
    return PASS_LOC


cdef int heavy_move(GoBoard* b, uint64_t* rng, const PolicyParams* pol) noexcept nogil:
    """The move the heavy policy picks for the side to move (not played)."""
    cdef int pla = b.to_play, last = b.last_move, n
    cdef int cand[72]  # save: 4 chains x (1 extension + 16 captures) at most
    cdef bint local = last > PASS_LOC and b.color[last] == 3 - pla
    if local and _chance(rng, pol.save):
        n = _save_moves(b, last, pla, cand)
        if n:
            return cand[_below(rng, n)]
    if _chance(rng, pol.capture):
        n = _capture_moves(b, last, pla, pol, rng, cand) if local else 0
        if n == 0 and _chance(rng, pol.capture_any):
            n = _capture_anywhere(b, pla, pol, rng, cand)
        if n:
            return cand[_below(rng, n)]
    if local and _chance(rng, pol.pattern):
        n = _pattern_moves(b, last, pla, pol, rng, cand)
        if n:
            return cand[_below(rng, n)]
    return _random_move(b, rng, pla, pol)


cdef int _playout_loop(GoBoard* b, uint64_t* rng, int max_moves, uint8_t* first, bint no_self_atari,
                       const PolicyParams* pol, int32_t* record) noexcept nogil:
    """Play light (``pol`` NULL) or heavy moves until two passes or ``max_moves``; returns
    the moves made, each also written to ``record`` when it is not NULL. With a heavy
    policy, ``no_self_atari`` refuses every self-atari of two or more stones."""
    cdef int moves = 0, pla, loc
    cdef PolicyParams strict
    if pol != NULL and no_self_atari:
        strict = pol[0]
        strict.self_atari_reject = 1.0
        strict.self_atari_stones = 1
        pol = &strict
    while b.passes < 2 and moves < max_moves:
        pla = b.to_play
        loc = _light_move(b, rng, no_self_atari) if pol == NULL else heavy_move(b, rng, pol)
        if first != NULL and first[loc] == 0:
            first[loc] = pla
        if record != NULL:
            record[moves] = loc
        play_unchecked(b, loc, pla)
        moves += 1
    return moves


cdef int playout(GoBoard* b, uint64_t* rng, int max_moves, uint8_t* first, bint no_self_atari) noexcept nogil:
    """Uniform random legal moves that fill no own eye, until two passes or
    ``max_moves``; simple ko and no suicide whatever the rules. Returns moves made.

    When ``first`` is not NULL, ``first[loc]`` gets the colour that played ``loc``
    first in this playout, where it is still 0 (all-moves-as-first statistics).
    With ``no_self_atari``, moves that put a chain of two or more stones in atari are
    refused too, which keeps seki alive (what judging dead stones needs)."""
    return _playout_loop(b, rng, max_moves, first, no_self_atari, NULL, NULL)


cdef int run_playout(GoBoard* b, uint64_t* rng, int max_moves, uint8_t* first, bint no_self_atari,
                     const PolicyParams* pol) noexcept nogil:
    """``playout`` when ``pol`` is NULL, else the same with the heavy policy ``pol`` (same
    end, same ``first``). With a heavy policy, ``no_self_atari`` (dead-stone judgement)
    refuses every self-atari of two or more stones, as the light rule does."""
    return _playout_loop(b, rng, max_moves, first, no_self_atari, pol, NULL)


cdef class PlayoutPolicy:
    """The heavy playout policy: the one place for its parameters and their defaults.

    Rules in priority order after each move, each tried with its probability:

    * ``save`` (0.9): own chains the last move put in atari escape -- extend on the
      liberty, or capture a neighbouring chain in atari -- when that leaves them at
      least two liberties (an escape to one liberty, as in a ladder, is not played);
    * ``capture`` (0.9): capture a chain in atari at or next to the last move (its 3x3
      neighbourhood); when there is none, ``capture_any`` (0.1) of the time, one in
      atari anywhere on the board (one scan of the empty points);
    * ``pattern`` (0.9): play a 3x3 shape (``seigen.ext.patterns``: hane, cuts, edge
      shapes) on one of the 8 points around the last move;
    * otherwise a uniformly random legal move that fills no own eye (the light rule).

    Whatever the rule, a move that leaves its chain in atari with more than
    ``self_atari_stones`` (2) stones is refused with probability ``self_atari_reject``
    (0.9) and another one is sought; smaller self-ataris (throw-ins, nakade) stay
    possible. Setting a probability to 0 switches its rule off (for ablations).
    """

    def __init__(self, *, double save=0.9, double capture=0.9, double capture_any=0.1,
                 double pattern=0.9, double self_atari_reject=0.9, int self_atari_stones=2):
        for name, p in (("save", save), ("capture", capture), ("capture_any", capture_any),
                        ("pattern", pattern), ("self_atari_reject", self_atari_reject)):
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1], got {p}")
        if self_atari_stones < 0:
            raise ValueError(f"self_atari_stones must be >= 0, got {self_atari_stones}")
        self.c.save = save
        self.c.capture = capture
        self.c.capture_any = capture_any
        self.c.pattern = pattern
        self.c.self_atari_reject = self_atari_reject
        self.c.self_atari_stones = self_atari_stones

    def as_dict(self) -> dict:
        """The parameters as keyword arguments: ``PlayoutPolicy(**p.as_dict())`` is a copy."""
        return {
            "save": self.c.save,
            "capture": self.c.capture,
            "capture_any": self.c.capture_any,
            "pattern": self.c.pattern,
            "self_atari_reject": self.c.self_atari_reject,
            "self_atari_stones": self.c.self_atari_stones,
        }

    def replace(self, **changes) -> PlayoutPolicy:
        """A copy with some parameters changed."""
        return PlayoutPolicy(**{**self.as_dict(), **changes})

    def __repr__(self) -> str:
        return "PlayoutPolicy(" + ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items()) + ")"

    def __eq__(self, other) -> bool:
        return isinstance(other, PlayoutPolicy) and self.as_dict() == other.as_dict()

    def __reduce__(self):
        return (_policy_from_dict, (self.as_dict(),))


def _policy_from_dict(d):
    return PlayoutPolicy(**d)


PLAYOUT_KINDS = ("light", "heavy")


cdef PlayoutPolicy as_policy(object kind):
    """``"light"`` or None: None (light playouts); ``"heavy"``: the default ``PlayoutPolicy``;
    a ``PlayoutPolicy``: itself (heavy playouts with its parameters)."""
    if kind is None or kind == "light":
        return None
    if isinstance(kind, PlayoutPolicy):
        return kind
    if kind == "heavy":
        return PlayoutPolicy()
    raise ValueError(f"playout kind must be 'light', 'heavy' or a PlayoutPolicy, got {kind!r}")


def playout_policy(kind):
    """The policy a playout ``kind`` stands for: None for light playouts (see ``as_policy``)."""
    return as_policy(kind)


cdef inline const PolicyParams* _params(PlayoutPolicy policy) noexcept:
    return NULL if policy is None else &policy.c


def pattern_table():
    """The 3x3 shape table as a uint8 array of 65536 entries (1: the code is a shape)."""
    out = np.zeros(65536, dtype=np.uint8)
    cdef uint8_t[::1] o = out
    cdef int code
    for code in range(65536):
        o[code] = (PAT3[code >> 3] >> (code & 7)) & 1
    return out


cdef void board_rebuild(GoBoard* b) noexcept nogil:
    """Recompute chains, liberties, empty list and hash from ``color`` alone."""
    cdef int r, c, loc, s, sp, p, d, a, tmp
    cdef int16_t stack[MAX_PTS]
    cdef int dirs[4]
    _neighbour_offsets(b, dirs)
    b.n_empty = 0
    b.hash = 0
    for loc in range(b.size):
        b.head[loc] = 0
        b.nxt[loc] = 0
        b.csize[loc] = 0
        b.libs[loc] = 0
    for r in range(b.n):
        for c in range(b.n):
            loc = (r + 1) * b.stride + c + 1
            if b.color[loc] == EMPTY:
                _add_empty(b, loc)
            else:
                b.hash ^= ZOB[b.color[loc]][loc]
    for r in range(b.n):
        for c in range(b.n):
            loc = (r + 1) * b.stride + c + 1
            if b.color[loc] == EMPTY or b.head[loc] != 0:
                continue
            b.head[loc] = loc
            b.nxt[loc] = loc
            b.csize[loc] = 1
            sp = 0
            stack[sp] = loc
            sp += 1
            while sp > 0:
                sp -= 1
                p = stack[sp]
                for d in range(4):
                    a = p + dirs[d]
                    if b.color[a] == b.color[loc] and b.head[a] == 0:
                        b.head[a] = loc
                        tmp = b.nxt[loc]
                        b.nxt[loc] = a
                        b.nxt[a] = tmp
                        b.csize[loc] += 1
                        stack[sp] = a
                        sp += 1
            b.libs[loc] = _count_libs(b, loc)


# ------------------------------------------------------------ Python face


cdef class CBoard:
    """A board plus its game history: undo stack, superko, batch playouts and features.

    Moves here are padded locations (see ``loc``); ``seigen.engine.Board`` converts
    from user-facing coordinates. Colours are 1 (black) and 2 (white).
    """

    # attributes are declared in board.pxd, so that other extension modules can read them

    def __cinit__(self, int n=19, int ko_rule=KO_SIMPLE, bint allow_suicide=False):
        if n < 2 or n > MAX_N:
            raise ValueError(f"board size {n} is not supported (2..{MAX_N})")
        if ko_rule not in (KO_SIMPLE, KO_POSITIONAL, KO_SITUATIONAL):
            raise ValueError(f"unknown ko rule {ko_rule}")
        board_init(&self.cur, n, allow_suicide)
        self.ko_rule = ko_rule
        self.stack = NULL
        self.hist = NULL
        self.depth = 0
        self.cap = 0

    def __dealloc__(self):
        free(self.stack)
        free(self.hist)

    cdef int _reserve(self, int cap) except -1:
        cdef GoBoard* grown
        cdef uint64_t* grown_hist
        if cap <= self.cap:
            return 0
        grown = <GoBoard*>realloc(self.stack, cap * sizeof(GoBoard))
        if grown == NULL:
            raise MemoryError()
        self.stack = grown
        grown_hist = <uint64_t*>realloc(self.hist, 2 * cap * sizeof(uint64_t))
        if grown_hist == NULL:
            raise MemoryError()
        self.hist = grown_hist
        self.cap = cap
        return 0

    cdef int _push(self) except -1:
        if self.depth == self.cap:
            self._reserve(max(16, 2 * self.cap))
        board_copy(&self.stack[self.depth], &self.cur)
        self.hist[2 * self.depth] = self.cur.hash
        self.hist[2 * self.depth + 1] = self.cur.to_play
        self.depth += 1
        return 0

    # ---- properties
    @property
    def n(self) -> int:
        return self.cur.n

    @property
    def stride(self) -> int:
        return self.cur.stride

    @property
    def to_play(self) -> int:
        return self.cur.to_play

    @to_play.setter
    def to_play(self, int color):
        if color not in (BLACK, WHITE):
            raise ValueError("colour must be 1 (black) or 2 (white)")
        self.cur.to_play = color

    @property
    def passes(self) -> int:
        return self.cur.passes

    @property
    def move_number(self) -> int:
        return self.cur.move_num

    @property
    def hash(self) -> int:
        return self.cur.hash

    @property
    def ko(self) -> int:
        return self.cur.ko

    @property
    def allow_suicide(self) -> bool:
        return bool(self.cur.allow_suicide)

    @property
    def depth(self) -> int:
        """How many moves can be undone."""
        return self.depth

    def captures(self, int color) -> int:
        return self.cur.captures[color]

    def loc(self, int row, int col) -> int:
        return (row + 1) * self.cur.stride + col + 1

    def color_at(self, int loc) -> int:
        return self.cur.color[loc]

    def colors(self):
        """The ``n`` x ``n`` colour array (0 empty, 1 black, 2 white)."""
        cdef int n = self.cur.n, r, c
        out = np.empty((n, n), dtype=np.uint8)
        cdef uint8_t[:, ::1] o = out
        for r in range(n):
            for c in range(n):
                o[r, c] = self.cur.color[(r + 1) * self.cur.stride + c + 1]
        return out

    # ---- rules
    cdef bint _repeats(self, uint64_t h, int next_pla) noexcept nogil:
        cdef int i
        if self.ko_rule == KO_POSITIONAL:
            if h == self.cur.hash:
                return True
            for i in range(self.depth):
                if self.hist[2 * i] == h:
                    return True
        elif self.ko_rule == KO_SITUATIONAL:
            if h == self.cur.hash and self.cur.to_play == next_pla:
                return True
            for i in range(self.depth):
                if self.hist[2 * i] == h and self.hist[2 * i + 1] == <uint64_t>next_pla:
                    return True
        return False

    cdef int _reason(self, int loc, int pla) noexcept nogil:
        cdef int r = _legal_simple_reason(&self.cur, loc, pla)
        if r != R_LEGAL or loc == PASS_LOC or self.ko_rule == KO_SIMPLE:
            return r
        if self._repeats(hash_after(&self.cur, loc, pla), 3 - pla):
            return R_SUPERKO
        return R_LEGAL

    def reason(self, int loc, int pla) -> int:
        """``R_LEGAL`` (0) or why ``pla`` may not play ``loc``."""
        if pla not in (BLACK, WHITE):
            raise ValueError("colour must be 1 (black) or 2 (white)")
        return self._reason(loc, pla)

    def play(self, int loc, int pla) -> int:
        """Check and play; returns ``R_LEGAL`` (0) after playing, else the reason and no change."""
        if pla not in (BLACK, WHITE):
            raise ValueError("colour must be 1 (black) or 2 (white)")
        cdef int r = self._reason(loc, pla)
        if r != R_LEGAL:
            return r
        self._push()
        play_unchecked(&self.cur, loc, pla)
        return R_LEGAL

    def undo(self) -> bool:
        """Restore the position before the last move; False when there is none."""
        if self.depth == 0:
            return False
        self.depth -= 1
        board_copy(&self.cur, &self.stack[self.depth])
        return True

    def legal_mask(self, uint8_t[::1] out, int pla=0):
        """Write 1 for each legal point index (row * n + col) and for pass (index n*n)."""
        cdef int n = self.cur.n, r, c
        if out.shape[0] != n * n + 1:
            raise ValueError(f"mask must have {n * n + 1} entries, got {out.shape[0]}")
        if pla == 0:
            pla = self.cur.to_play
        with nogil:
            for r in range(n):
                for c in range(n):
                    out[r * n + c] = self._reason((r + 1) * self.cur.stride + c + 1, pla) == R_LEGAL
            out[n * n] = 1

    def eye_mask(self, uint8_t[::1] out, int pla=0):
        """Write 1 for each point (row * n + col) that is ``pla``'s own single-point eye
        (the light-playout test, see ``is_eyeish``), else 0."""
        cdef int n = self.cur.n, r, c, loc
        if out.shape[0] < n * n:
            raise ValueError(f"mask must have at least {n * n} entries, got {out.shape[0]}")
        if pla == 0:
            pla = self.cur.to_play
        with nogil:
            for r in range(n):
                for c in range(n):
                    loc = (r + 1) * self.cur.stride + c + 1
                    out[r * n + c] = self.cur.color[loc] == EMPTY and _eyeish(&self.cur, loc, pla)

    def copy(self) -> CBoard:
        cdef CBoard other = CBoard.__new__(CBoard, self.cur.n, self.ko_rule, self.cur.allow_suicide)
        memcpy(&other.cur, &self.cur, sizeof(GoBoard))
        if self.depth:
            other._reserve(self.depth)
            memcpy(other.stack, self.stack, self.depth * sizeof(GoBoard))
            memcpy(other.hist, self.hist, 2 * self.depth * sizeof(uint64_t))
            other.depth = self.depth
        return other

    def setup(self, black, white, int to_play=BLACK):
        """Put stones on an empty-history board (handicap, SGF AB/AW, diagrams).

        Every chain must keep a liberty. The history restarts from this position.
        """
        cdef GoBoard tmp
        memcpy(&tmp, &self.cur, sizeof(GoBoard))
        cdef int loc
        for color, locs in ((BLACK, black), (WHITE, white)):
            for loc in locs:
                if loc < 0 or loc >= tmp.size or tmp.color[loc] == WALL:
                    raise ValueError(f"setup point {loc} is off the board")
                tmp.color[loc] = color
        board_rebuild(&tmp)
        for loc in range(tmp.size):
            if (tmp.color[loc] == BLACK or tmp.color[loc] == WHITE) and tmp.libs[tmp.head[loc]] == 0:
                raise ValueError("setup leaves a chain without liberties")
        tmp.to_play = to_play
        tmp.ko = NULL_LOC
        tmp.last_move = NULL_LOC
        tmp.passes = 0
        memcpy(&self.cur, &tmp, sizeof(GoBoard))
        self.depth = 0

    # ---- scoring and playouts
    def area(self):
        """(black area, white area) under Tromp-Taylor: stones plus surrounded empty points."""
        cdef int32_t nb, nw
        area_counts(&self.cur, &nb, &nw)
        return nb, nw

    def area_owner(self):
        """Per point: +1 black area, -1 white area, 0 neither, as an ``n`` x ``n`` int8 array."""
        cdef signed char owner[MAX_ARR]
        area_owner(&self.cur, owner)
        n = self.cur.n
        out = np.empty((n, n), dtype=np.int8)
        cdef signed char[:, ::1] o = out
        cdef int r, c
        for r in range(n):
            for c in range(n):
                o[r, c] = owner[(r + 1) * self.cur.stride + c + 1]
        return out

    def playouts(self, double[::1] scores, uint64_t seed, int max_moves=0,
                 double[:, ::1] ownership=None, bint resume=False, bint no_self_atari=False,
                 kind="light"):
        """Run ``len(scores)`` playouts from this position on scratch copies.

        ``kind``: ``"light"`` (uniform random non-eye-filling moves), ``"heavy"`` (the
        default ``PlayoutPolicy``) or a ``PlayoutPolicy``. Writes each final Tromp-Taylor
        area difference (black - white, no komi) to ``scores`` and, when given, adds each
        final owner (+1/-1/0) into ``ownership`` (``n`` x ``n``). With ``resume``, passes
        so far are forgotten, so a finished game is played on; with ``no_self_atari``,
        playouts refuse moves that put a chain of two or more stones in atari (both for
        judging dead stones). Returns the total number of moves played. The board is
        unchanged.
        """
        cdef PlayoutPolicy policy = as_policy(kind)
        cdef const PolicyParams* pol = _params(policy)
        cdef GoBoard scratch
        cdef signed char owner[MAX_ARR]
        cdef uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL
        cdef int i, r, c, n = self.cur.n
        cdef long total = 0
        cdef int32_t nb, nw
        if rng == 0:
            rng = 1
        if max_moves <= 0:
            max_moves = 3 * n * n
        if ownership is not None and (ownership.shape[0] != n or ownership.shape[1] != n):
            raise ValueError(f"ownership must be {n}x{n}")
        cdef bint own = ownership is not None
        with nogil:
            for i in range(scores.shape[0]):
                board_copy(&scratch, &self.cur)
                if resume:
                    scratch.passes = 0
                total += run_playout(&scratch, &rng, max_moves, NULL, no_self_atari, pol)
                if own:
                    _area(&scratch, owner, &nb, &nw)
                    for r in range(n):
                        for c in range(n):
                            ownership[r, c] += owner[(r + 1) * scratch.stride + c + 1]
                else:
                    area_counts(&scratch, &nb, &nw)
                scores[i] = nb - nw
        return total

    def flat_mc(self, const uint8_t[::1] candidates, int n, uint64_t seed, double komi,
                double[::1] visits, double[::1] wins, double[::1] amaf_visits, double[::1] amaf_wins,
                double c_ucb=0.5, double rave_k=300.0, int max_moves=0, kind="light"):
        """Flat Monte Carlo at the root: ``n`` playouts, each after one root move.

        ``kind``: ``"light"``, ``"heavy"`` or a ``PlayoutPolicy`` (see ``playouts``).

        Root moves are the point indices (pass = n*n) where ``candidates`` is 1; each
        playout picks one by UCB1 over a value that blends its own win rate with its
        all-moves-as-first (AMAF/RAVE) win rate, weight ``sqrt(k / (3 v + k))``.
        Wins are from the side to move's view (a tie is half a win), under area
        scoring with ``komi``. The four statistics arrays (length n*n + 1) are read and
        accumulated, so calls can continue a search. Returns the moves played. Runs
        without the GIL, so threads with their own arrays search in parallel.
        """
        cdef int N = self.cur.n, A = N * N + 1
        if (candidates.shape[0] != A or visits.shape[0] != A or wins.shape[0] != A
                or amaf_visits.shape[0] != A or amaf_wins.shape[0] != A):
            raise ValueError(f"flat_mc arrays must have {A} entries")
        cdef PlayoutPolicy policy = as_policy(kind)
        cdef const PolicyParams* pol = _params(policy)
        cdef int pla = self.cur.to_play, i, j, best, r, c, loc, it
        cdef double total_v, logt, beta, val, score, best_score, v, res
        cdef GoBoard scratch
        cdef uint8_t first[MAX_ARR]
        cdef int32_t nb, nw
        cdef long moves = 0
        cdef uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 0xD1B54A32D192ED03ULL
        cdef int n_cand = 0
        for i in range(A):
            n_cand += candidates[i] != 0
        if n_cand == 0:
            raise ValueError("flat_mc needs at least one candidate move")
        if rng == 0:
            rng = 1
        if max_moves <= 0:
            max_moves = 3 * N * N
        with nogil:
            for it in range(n):
                total_v = 1.0
                for i in range(A):
                    total_v += visits[i]
                logt = log(total_v)
                best = -1
                best_score = -1e300
                for i in range(A):
                    if not candidates[i]:
                        continue
                    v = visits[i]
                    if v == 0:
                        best = i
                        break
                    val = wins[i] / v
                    if amaf_visits[i] > 0 and rave_k > 0:
                        beta = sqrt(rave_k / (3.0 * v + rave_k))
                        val = (1.0 - beta) * val + beta * amaf_wins[i] / amaf_visits[i]
                    score = val + c_ucb * sqrt(logt / v)
                    if score > best_score:
                        best_score = score
                        best = i
                board_copy(&scratch, &self.cur)
                memset(first, 0, scratch.size)
                if best == N * N:
                    loc = PASS_LOC
                else:
                    loc = (best // N + 1) * scratch.stride + best % N + 1
                    first[loc] = pla
                play_unchecked(&scratch, loc, pla)
                moves += 1 + run_playout(&scratch, &rng, max_moves, first, False, pol)
                area_counts(&scratch, &nb, &nw)
                score = nb - nw - komi
                if score == 0:
                    res = 0.5
                elif (score > 0) == (pla == BLACK):
                    res = 1.0
                else:
                    res = 0.0
                visits[best] += 1
                wins[best] += res
                for r in range(N):
                    for c in range(N):
                        if first[(r + 1) * scratch.stride + c + 1] == pla:
                            j = r * N + c
                            amaf_visits[j] += 1
                            amaf_wins[j] += res
        return moves

    def heavy_move(self, uint64_t seed, kind="heavy") -> int:
        """The location the heavy policy (``kind``: ``"heavy"`` or a ``PlayoutPolicy``) would
        play for the side to move here, after ``last_move``; not played (a test hook)."""
        cdef PlayoutPolicy policy = as_policy(kind)
        if policy is None:
            raise ValueError("heavy_move needs a heavy policy")
        cdef GoBoard scratch
        cdef uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL
        if rng == 0:
            rng = 1
        board_copy(&scratch, &self.cur)
        return heavy_move(&scratch, &rng, &policy.c)

    def playout_moves(self, uint64_t seed, kind="light", int max_moves=0, bint no_self_atari=False):
        """The moves (locations, ``PASS_LOC`` for a pass) of the playout that
        ``playouts(scores, seed, max_moves, kind=kind)`` plays first; the board is unchanged."""
        cdef PlayoutPolicy policy = as_policy(kind)
        cdef GoBoard scratch
        cdef uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL
        if rng == 0:
            rng = 1
        if max_moves <= 0:
            max_moves = 3 * self.cur.n * self.cur.n
        out = np.empty(max_moves, dtype=np.int32)
        cdef int32_t[::1] rec = out
        board_copy(&scratch, &self.cur)
        cdef int n = _playout_loop(&scratch, &rng, max_moves, NULL, no_self_atari, _params(policy), &rec[0])
        return out[:n]

    @property
    def last_move(self) -> int:
        """The last move's location (``PASS_LOC`` after a pass; ``NULL_LOC`` when unknown)."""
        return self.cur.last_move

    def pattern_at(self, int loc) -> bool:
        """Is the 3x3 neighbourhood of ``loc`` one of the playout shapes?"""
        if loc < 0 or loc >= self.cur.size or self.cur.color[loc] == WALL:
            raise ValueError(f"point {loc} is off the board")
        return bool(_pattern_at(&self.cur, loc))

    # ---- features
    def features(self, feat_t[:, :, ::1] out):
        """AlphaGo Zero input planes into a caller-owned ``[17, n, n]`` buffer.

        Planes 0-7: stones of the side to move now, at t, t-1, ..., t-7;
        planes 8-15: the opponent's stones at the same times; plane 16: 1 where black
        is to move, else 0. Positions before the start of the game are all zero.
        """
        cdef int n = self.cur.n
        if out.shape[0] != GO_PLANES or out.shape[1] != n or out.shape[2] != n:
            raise ValueError(f"feature buffer must be [{GO_PLANES}, {n}, {n}], got "
                             f"[{out.shape[0]}, {out.shape[1]}, {out.shape[2]}]")
        cdef int k, r, c, loc, col
        cdef int pla = self.cur.to_play
        cdef const GoBoard* g
        cdef feat_t one = 1, zero = 0
        with nogil:
            for k in range(GO_HISTORY):
                if k == 0:
                    g = &self.cur
                elif self.depth - k >= 0:
                    g = &self.stack[self.depth - k]
                else:
                    g = NULL
                for r in range(n):
                    for c in range(n):
                        if g == NULL:
                            out[k, r, c] = zero
                            out[GO_HISTORY + k, r, c] = zero
                        else:
                            col = g.color[(r + 1) * self.cur.stride + c + 1]
                            out[k, r, c] = one if col == pla else zero
                            out[GO_HISTORY + k, r, c] = one if col == 3 - pla else zero
            for r in range(n):
                for c in range(n):
                    out[2 * GO_HISTORY, r, c] = one if pla == BLACK else zero
        return out

    # ---- invariants
    def check_consistency(self):
        """Recompute chains, liberties, empty list and hash from scratch and compare.

        Raises ``AssertionError`` naming the first broken invariant.
        """
        cdef GoBoard ref
        memcpy(&ref, &self.cur, sizeof(GoBoard))
        board_rebuild(&ref)
        cdef const GoBoard* b = &self.cur
        cdef int loc, s, count, r, c, i
        if ref.hash != b.hash:
            raise AssertionError(f"hash {b.hash:#x} != recomputed {ref.hash:#x}")
        if ref.n_empty != b.n_empty:
            raise AssertionError(f"{b.n_empty} points in the empty list, {ref.n_empty} empty")
        for i in range(b.n_empty):
            loc = b.empty[i]
            if b.color[loc] != EMPTY or b.empty_idx[loc] != i:
                raise AssertionError(f"empty list entry {i} (loc {loc}) is wrong")
        for r in range(b.n):
            for c in range(b.n):
                loc = (r + 1) * b.stride + c + 1
                if b.color[loc] == EMPTY:
                    continue
                h = b.head[loc]
                if b.color[h] != b.color[loc]:
                    raise AssertionError(f"stone at {(r, c)} has a head of another colour")
                if b.csize[h] != ref.csize[ref.head[loc]]:
                    raise AssertionError(f"chain at {(r, c)}: size {b.csize[h]} != {ref.csize[ref.head[loc]]}")
                if b.libs[h] != ref.libs[ref.head[loc]]:
                    raise AssertionError(f"chain at {(r, c)}: {b.libs[h]} liberties != {ref.libs[ref.head[loc]]}")
                if h == loc:
                    count = 0
                    s = loc
                    while True:
                        if b.head[s] != h:
                            raise AssertionError(f"chain list of {(r, c)} runs into another chain")
                        count += 1
                        s = b.nxt[s]
                        if s == loc or count > b.csize[h]:
                            break
                    if count != b.csize[h] or s != loc:
                        raise AssertionError(f"chain list of {(r, c)} has {count} stones, size says {b.csize[h]}")
        # same partition: neighbours of one colour share a head, and chains are as many
        for r in range(b.n):
            for c in range(b.n):
                loc = (r + 1) * b.stride + c + 1
                for a in (loc + 1, loc + b.stride):
                    if b.color[a] == b.color[loc] and b.color[loc] in (BLACK, WHITE) and b.head[a] != b.head[loc]:
                        raise AssertionError(f"adjacent stones at {(r, c)} are in different chains")
        heads = {b.head[loc] for loc in range(b.size) if b.color[loc] in (BLACK, WHITE)}
        ref_heads = {ref.head[loc] for loc in range(ref.size) if ref.color[loc] in (BLACK, WHITE)}
        if len(heads) != len(ref_heads):
            raise AssertionError(f"{len(heads)} chains, recomputed {len(ref_heads)}")
