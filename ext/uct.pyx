# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""UCT-RAVE Go search entirely in C (MoGo, Fuego, Pachi style; Gelly & Silver 2011).

One ``UctTree`` is one search tree over one root position. Its nodes live in a
preallocated structure-of-arrays pool (``Pool``) indexed by node (root = 0,
``NO_NODE`` = -1); the children of a node are contiguous,
``first_child[i] .. first_child[i] + n_children[i] - 1``. Each node is the edge into it:

=============  ======  =====================================================================
field          type    meaning
=============  ======  =====================================================================
move           int16   the padded location played into the node (``PASS_LOC`` for pass)
visits         int32   simulations through the node
wins2          int32   twice the wins of the player who moved into the node (a tie is 1)
leaf_visits    int32   simulations that ended at the node (unexpanded leaf, terminal, ...)
amaf_n         int32   AMAF (RAVE) visits: the move was first played later by its player
amaf_w2        int32   twice the AMAF wins
prior_n/_w     float   virtual visits and wins from prior knowledge (``Priors``)
vloss          int32   virtual losses of the simulations now descending through the node
first_child    int32   first child, valid when ``state == S_EXPANDED``
n_children     int32   how many children
state          uint8   ``S_LEAF``, ``S_EXPANDING`` (a thread is writing its children),
                       ``S_EXPANDED``
flags          uint8   ``F_PRUNED``: a root child the caller ruled out (superko, cleanup);
                       ``F_GUIDED``: the node's children have had outside priors
                       (``add_guide``, e.g. a policy net's), which a search never repeats
=============  ======  =====================================================================

A simulation copies the root board, descends by the MC-RAVE value (``rave_value``) plus an
optional UCB term, expands a leaf once it has ``expand_after`` visits (children: every
legal move under simple ko, and pass, each with prior virtual wins and visits), plays one
playout to the end (light, or heavy with a ``PlayoutPolicy``: ``run_playout``), scores it by Tromp-Taylor area with komi, and backs the
result up (``_backup``): visits and wins along the path, and at every node of the path
the AMAF statistics of each child whose move the side to move there played first later
in the simulation (the tree moves below the node and the playout).

Threads: ``search`` releases the GIL. A tree searched by one thread at a time is plain
(root parallelism: one tree per thread, root statistics merged by the caller); a tree
made with ``shared=True`` takes several threads at once, with atomic statistics, virtual
loss and a compare-and-swap on ``state`` for expansion (the pool never moves during a
search: ``reserve`` grows it between searches).
"""
from libc.math cimport log, sqrt
from libc.stdint cimport int16_t, int32_t, uint8_t, uint64_t
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy, memset

from seigen.ext.board cimport (
    BLACK, EMPTY, MAX_ARR, NULL_LOC, PASS_LOC, WHITE,
    CBoard, GoBoard, PlayoutPolicy, PolicyParams, _libs_after, area_counts, area_owner, as_policy, board_copy,
    is_eyeish, is_legal_simple, play_unchecked, rng_next, run_playout,
)

import numpy as np

cdef extern from *:
    """
    #include <stdint.h>
    #if defined(_MSC_VER)
    #include <intrin.h>
    static inline int32_t uct_fetch_add(int32_t* p, int32_t v) {
        return (int32_t)_InterlockedExchangeAdd((volatile long*)p, (long)v);
    }
    static inline int uct_cas8(uint8_t* p, uint8_t expected, uint8_t desired) {
        return (uint8_t)_InterlockedCompareExchange8((volatile char*)p, (char)desired, (char)expected) == expected;
    }
    static inline uint8_t uct_load8(uint8_t* p) { uint8_t v = *(volatile uint8_t*)p; _ReadWriteBarrier(); return v; }
    static inline void uct_store8(uint8_t* p, uint8_t v) { _ReadWriteBarrier(); *(volatile uint8_t*)p = v; }
    #else
    static inline int32_t uct_fetch_add(int32_t* p, int32_t v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
    static inline int uct_cas8(uint8_t* p, uint8_t expected, uint8_t desired) {
        return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    }
    static inline uint8_t uct_load8(uint8_t* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
    static inline void uct_store8(uint8_t* p, uint8_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
    #endif
    """
    int32_t uct_fetch_add(int32_t* p, int32_t v) noexcept nogil
    bint uct_cas8(uint8_t* p, uint8_t expected, uint8_t desired) noexcept nogil
    uint8_t uct_load8(uint8_t* p) noexcept nogil
    void uct_store8(uint8_t* p, uint8_t v) noexcept nogil


cdef enum:
    NO_NODE = -1
    MAX_DEPTH = 1024  # the longest tree path a simulation follows

    S_LEAF = 0
    S_EXPANDING = 1
    S_EXPANDED = 2

    F_PRUNED = 1
    F_GUIDED = 2

    PAT3_CODES = 65536  # 8 neighbours x 2 bits (see ``pat3_code``)

    # prior rules: the order of PRIOR_RULES (and of the fields of seigen.engine.uct.UctPriors)
    P_EVEN = 0
    P_CAPTURE = 1
    P_ESCAPE = 2
    P_SELF_ATARI = 3
    P_EYE_FILL = 4
    P_NEAR_LAST = 5
    P_NEAR_LAST2 = 6
    P_LINE1 = 7
    P_LINE2 = 8
    P_LINE34 = 9
    P_PASS = 10
    P_COUNT = 11

PRIOR_RULES = (
    "even", "capture", "atari_escape", "self_atari", "eye_fill", "near_last", "near_last2",
    "line1", "line2", "line34", "pass_move",
)
N_PAT3 = PAT3_CODES


ctypedef struct Pool:
    int32_t cap
    int32_t used
    int16_t* move
    int32_t* visits
    int32_t* wins2
    int32_t* leaf_visits
    int32_t* amaf_n
    int32_t* amaf_w2
    int32_t* vloss
    float* prior_n
    float* prior_w
    int32_t* first_child
    int32_t* n_children
    uint8_t* state
    uint8_t* flags


# Prior knowledge added at expansion: rule ``r`` that holds for a move adds
# ``visits[r]`` virtual visits with ``visits[r] * value[r]`` virtual wins (see ``prior_of``).
ctypedef struct Priors:
    float visits[P_COUNT]
    float value[P_COUNT]
    float edge_until  # the line rules hold while stones on the board < edge_until * points
    const float* pat3  # NULL, or PAT3_CODES (visits, value) pairs: the 3x3-pattern prior hook


ctypedef struct Params:
    double four_b2  # 4 b^2, b the RAVE equivalence parameter
    bint rave  # AMAF statistics are kept and blended in (0: plain UCT)
    double c_ucb  # UCB exploration (0: greedy MC-RAVE)
    double fpu  # value of a child with neither visits nor AMAF visits
    double prior_amaf  # the priors also seed AMAF, scaled by this (0: not at all)
    double vloss_visits  # virtual visits (counted as losses) per descending simulation
    double komi
    int expand_after
    int max_moves  # playout length cap


# ------------------------------------------------------------------ the pool

cdef int _pool_resize(Pool* p, int cap) noexcept nogil:
    """Grow (or allocate) every array to ``cap`` nodes; -1 when memory runs out."""
    cdef void* q
    q = realloc(p.move, cap * sizeof(int16_t))
    if q == NULL:
        return -1
    p.move = <int16_t*>q
    q = realloc(p.visits, cap * sizeof(int32_t))
    if q == NULL:
        return -1
    p.visits = <int32_t*>q
    q = realloc(p.wins2, cap * sizeof(int32_t))
    if q == NULL:
        return -1
    p.wins2 = <int32_t*>q
    q = realloc(p.leaf_visits, cap * sizeof(int32_t))
    if q == NULL:
        return -1
    p.leaf_visits = <int32_t*>q
    q = realloc(p.amaf_n, cap * sizeof(int32_t))
    if q == NULL:
        return -1
    p.amaf_n = <int32_t*>q
    q = realloc(p.amaf_w2, cap * sizeof(int32_t))
    if q == NULL:
        return -1
    p.amaf_w2 = <int32_t*>q
    q = realloc(p.vloss, cap * sizeof(int32_t))
    if q == NULL:
        return -1
    p.vloss = <int32_t*>q
    q = realloc(p.prior_n, cap * sizeof(float))
    if q == NULL:
        return -1
    p.prior_n = <float*>q
    q = realloc(p.prior_w, cap * sizeof(float))
    if q == NULL:
        return -1
    p.prior_w = <float*>q
    q = realloc(p.first_child, cap * sizeof(int32_t))
    if q == NULL:
        return -1
    p.first_child = <int32_t*>q
    q = realloc(p.n_children, cap * sizeof(int32_t))
    if q == NULL:
        return -1
    p.n_children = <int32_t*>q
    q = realloc(p.state, cap * sizeof(uint8_t))
    if q == NULL:
        return -1
    p.state = <uint8_t*>q
    q = realloc(p.flags, cap * sizeof(uint8_t))
    if q == NULL:
        return -1
    p.flags = <uint8_t*>q
    p.cap = cap
    return 0


cdef void _pool_free(Pool* p) noexcept nogil:
    free(p.move)
    free(p.visits)
    free(p.wins2)
    free(p.leaf_visits)
    free(p.amaf_n)
    free(p.amaf_w2)
    free(p.vloss)
    free(p.prior_n)
    free(p.prior_w)
    free(p.first_child)
    free(p.n_children)
    free(p.state)
    free(p.flags)
    memset(p, 0, sizeof(Pool))


cdef inline void _node_init(Pool* p, int i, int loc, float prior_n, float prior_w) noexcept nogil:
    p.move[i] = loc
    p.visits[i] = 0
    p.wins2[i] = 0
    p.leaf_visits[i] = 0
    p.amaf_n[i] = 0
    p.amaf_w2[i] = 0
    p.vloss[i] = 0
    p.prior_n[i] = prior_n
    p.prior_w[i] = prior_w
    p.first_child[i] = NO_NODE
    p.n_children[i] = 0
    p.state[i] = S_LEAF
    p.flags[i] = 0


cdef inline void _node_copy(Pool* dst, int i, const Pool* src, int j) noexcept nogil:
    """Node ``j`` of ``src`` into node ``i`` of ``dst``, without its links to children."""
    _node_init(dst, i, src.move[j], src.prior_n[j], src.prior_w[j])
    dst.visits[i] = src.visits[j]
    dst.wins2[i] = src.wins2[j]
    dst.leaf_visits[i] = src.leaf_visits[j]
    dst.amaf_n[i] = src.amaf_n[j]
    dst.amaf_w2[i] = src.amaf_w2[j]
    dst.vloss[i] = src.vloss[j]
    dst.flags[i] = src.flags[j] & F_GUIDED


cdef inline void _add(int32_t* p, int32_t v, bint atomic) noexcept nogil:
    if atomic:
        uct_fetch_add(p, v)
    else:
        p[0] += v


# ------------------------------------------------------------------ values

cdef inline double rave_value(double n, double w, double na, double wa, double four_b2, double fpu) noexcept nogil:
    """MC-RAVE: ``(1 - beta) Q + beta Q_amaf`` with the minimum-MSE schedule
    ``beta = na / (n + na + 4 b^2 n na)`` (``n``, ``w``: visits and wins, priors
    included; ``na``, ``wa``: AMAF visits and wins)."""
    if na <= 0:
        return w / n if n > 0 else fpu
    if n <= 0:
        return wa / na
    cdef double beta = na / (n + na + four_b2 * n * na)
    return (1.0 - beta) * w / n + beta * wa / na


def rave_beta(double n, double n_amaf, double b):
    """The weight of the AMAF value: ``n_amaf / (n + n_amaf + 4 b^2 n n_amaf)`` (0 when both are 0)."""
    if n + n_amaf <= 0:
        return 0.0
    return n_amaf / (n + n_amaf + 4.0 * b * b * n * n_amaf)


def rave_mix(double n, double w, double n_amaf, double w_amaf, double b, double fpu=1.0):
    """The selection value of a child without exploration term (``rave_value``)."""
    return rave_value(n, w, n_amaf, w_amaf, 4.0 * b * b, fpu)


# ------------------------------------------------------------------ prior knowledge

cdef int pat3_code(const GoBoard* b, int loc, int pla) noexcept nogil:
    """The 3x3 neighbourhood of ``loc`` as a 16-bit code, from ``pla``'s view: the eight
    neighbours in row-major order (NW, N, NE, W, E, SW, S, SE), neighbour ``k`` in bits
    ``2k, 2k+1``: 0 empty, 1 ``pla``'s stone, 2 the opponent's, 3 off the board."""
    cdef int s = b.stride, k, c, v, code = 0
    cdef int off[8]
    off[0] = -s - 1
    off[1] = -s
    off[2] = -s + 1
    off[3] = -1
    off[4] = 1
    off[5] = s - 1
    off[6] = s
    off[7] = s + 1
    for k in range(8):
        c = b.color[loc + off[k]]
        if c == EMPTY:
            v = 0
        elif c == pla:
            v = 1
        elif c == 3 - pla:
            v = 2
        else:
            v = 3
        code |= v << (2 * k)
    return code


cdef inline bint _near(int loc, int other, int stride) noexcept nogil:
    """Within Manhattan distance 2 of ``other`` (a point of the board), not on it."""
    if other == NULL_LOC or other == PASS_LOC or other == loc:
        return False
    cdef int dr = loc // stride - other // stride, dc = loc % stride - other % stride
    if dr < 0:
        dr = -dr
    if dc < 0:
        dc = -dc
    return dr + dc <= 2


cdef void prior_of(const Priors* pri, const GoBoard* b, int loc, int pla, int last1, int last2,
                   float* out_n, float* out_w) noexcept nogil:
    """The virtual visits and wins that prior knowledge gives ``pla``'s legal move ``loc``.

    Rules (each adds ``visits[r]`` visits at value ``value[r]``): ``even`` every move;
    ``pass_move`` the pass; ``capture`` takes an adjacent chain in atari; ``atari_escape``
    joins an own chain in atari and leaves it two or more liberties; ``self_atari`` leaves
    its chain one liberty and captures nothing; ``eye_fill`` fills its own single-point eye;
    ``near_last``/``near_last2`` within Manhattan distance 2 of the last/second-to-last
    move; ``line1``/``line2``/``line34`` on the first, second, third or fourth line while
    the board holds fewer than ``edge_until`` of its points in stones; then the 3x3-pattern
    hook, ``pat3[2 code]`` visits at value ``pat3[2 code + 1]`` (``pat3_code``)."""
    cdef double n = 0.0, w = 0.0
    cdef int r, d, a, c, line, row, col, libs, code
    cdef bint capture = False, own_atari = False
    cdef bint hit[P_COUNT]
    cdef int nbr[4]
    nbr[0] = loc - b.stride
    nbr[1] = loc - 1
    nbr[2] = loc + 1
    nbr[3] = loc + b.stride
    for r in range(P_COUNT):
        hit[r] = False
    hit[P_EVEN] = True
    if loc == PASS_LOC:
        hit[P_PASS] = True
    else:
        for d in range(4):
            a = nbr[d]
            c = b.color[a]
            if c == 3 - pla and b.libs[b.head[a]] == 1:
                capture = True
            elif c == pla and b.libs[b.head[a]] == 1:
                own_atari = True
        libs = _libs_after(b, loc, pla, 0, 2)  # 2 means two or more
        hit[P_CAPTURE] = capture
        hit[P_ESCAPE] = own_atari and libs >= 2
        hit[P_SELF_ATARI] = not capture and libs <= 1
        hit[P_EYE_FILL] = is_eyeish(b, loc, pla)
        hit[P_NEAR_LAST] = _near(loc, last1, b.stride)
        hit[P_NEAR_LAST2] = _near(loc, last2, b.stride)
        if b.n * b.n - b.n_empty < pri.edge_until * b.n * b.n:
            row = loc // b.stride - 1
            col = loc % b.stride - 1
            line = 1 + min(min(row, col), min(b.n - 1 - row, b.n - 1 - col))
            hit[P_LINE1] = line == 1
            hit[P_LINE2] = line == 2
            hit[P_LINE34] = line == 3 or line == 4
    for r in range(P_COUNT):
        if hit[r]:
            n += pri.visits[r]
            w += pri.visits[r] * pri.value[r]
    if pri.pat3 != NULL and loc != PASS_LOC:
        code = pat3_code(b, loc, pla)
        n += pri.pat3[2 * code]
        w += pri.pat3[2 * code] * pri.pat3[2 * code + 1]
    out_n[0] = <float>n
    out_w[0] = <float>w


# ------------------------------------------------------------------ the tree

cdef inline int _point_to_loc(int point, int n) noexcept nogil:
    if point == n * n:
        return PASS_LOC
    return (point // n + 1) * (n + 2) + point % n + 1


cdef inline int _loc_to_point(int loc, int n) noexcept nogil:
    if loc == PASS_LOC:
        return n * n
    return (loc // (n + 2) - 1) * n + loc % (n + 2) - 1


cdef class UctTree:
    """One UCT-RAVE tree over one root position (see the module docstring).

    ``n``: board size; ``rave``: keep AMAF statistics and blend them in (False: plain
    UCT, e.g. for ablations); ``rave_b``: the RAVE equivalence parameter ``b``; ``c_ucb``: UCB
    exploration (0: greedy); ``expand_after``: visits a leaf needs before it is expanded;
    ``fpu``: value of a move with no statistics at all; ``prior_amaf``: the priors also
    seed AMAF, scaled by this; ``vloss``: virtual visits (as losses) per simulation
    descending through a node, used by shared trees; ``max_moves``: playout cap (0: 3 N^2);
    ``max_nodes``: the pool's cap (it starts at ``initial_nodes`` and doubles);
    ``shared``: several threads search at once (atomics, virtual loss); ``playout``:
    ``"light"``, ``"heavy"`` or a ``seigen.ext.board.PlayoutPolicy`` (the playouts after
    each descent).
    """

    cdef Pool pool
    cdef Params prm
    cdef Priors pri
    cdef GoBoard root_board
    cdef int last1, last2  # the last two moves before the root (padded locations or NULL_LOC)
    cdef readonly int n
    cdef readonly int max_nodes
    cdef readonly bint shared
    cdef int active  # searches now running (changed with the GIL held)
    cdef object _pat3  # keeps the pattern table alive
    cdef object _policy  # the heavy playout policy (a PlayoutPolicy), or None: light playouts
    cdef const PolicyParams* pol  # its parameters, or NULL

    def __cinit__(self):
        memset(&self.pool, 0, sizeof(Pool))

    def __init__(self, int n, *, bint rave=True, double rave_b=0.01, double c_ucb=0.0, int expand_after=2,
                 double fpu=1.0, double prior_amaf=0.0, double vloss=3.0, int max_moves=0, int max_nodes=1 << 21,
                 int initial_nodes=1 << 16, bint shared=False, playout="light"):
        if n < 2 or n > 25:
            raise ValueError(f"board size {n} is not supported (2..25)")
        if expand_after < 0 or max_nodes < 2 * (n * n + 1):
            raise ValueError("expand_after must be >= 0 and max_nodes at least two expansions")
        self.n = n
        self.shared = shared
        self.max_nodes = max_nodes
        self.prm.four_b2 = 4.0 * rave_b * rave_b
        self.prm.rave = rave
        self.prm.c_ucb = c_ucb
        self.prm.fpu = fpu
        self.prm.prior_amaf = prior_amaf
        self.prm.vloss_visits = vloss
        self.prm.expand_after = expand_after
        self.prm.max_moves = max_moves if max_moves > 0 else 3 * n * n
        self.prm.komi = 7.5
        memset(&self.pri, 0, sizeof(Priors))
        self.pri.visits[P_EVEN] = 10.0
        self.pri.value[P_EVEN] = 0.5
        if _pool_resize(&self.pool, min(max(initial_nodes, 2 * (n * n + 1)), max_nodes)) < 0:
            raise MemoryError()
        self.last1 = NULL_LOC
        self.last2 = NULL_LOC
        self.active = 0
        self._pat3 = None
        self._policy = as_policy(playout)
        self.pol = NULL if self._policy is None else &(<PlayoutPolicy>self._policy).c

    def __dealloc__(self):
        _pool_free(&self.pool)

    @property
    def playout_kind(self):
        """``"light"``, or the ``PlayoutPolicy`` of the heavy playouts after each descent."""
        return "light" if self._policy is None else self._policy

    # ---- settings
    def set_priors(self, visits, value, double edge_until, pat3=None):
        """The prior rules' virtual visits and values, in ``PRIOR_RULES`` order; ``pat3``:
        None or a float32 ``[65536, 2]`` array of (visits, value) per ``pat3_code``.
        They apply to nodes expanded from now on."""
        if len(visits) != P_COUNT or len(value) != P_COUNT:
            raise ValueError(f"priors need {P_COUNT} visits and values ({', '.join(PRIOR_RULES)})")
        cdef int r
        for r in range(P_COUNT):
            self.pri.visits[r] = visits[r]
            self.pri.value[r] = value[r]
        self.pri.edge_until = edge_until
        cdef const float[:, ::1] table
        if pat3 is None:
            self._pat3 = None
            self.pri.pat3 = NULL
        else:
            arr = np.ascontiguousarray(pat3, dtype=np.float32)
            if arr.shape != (PAT3_CODES, 2):
                raise ValueError(f"the 3x3-pattern table must be [{PAT3_CODES}, 2], got {arr.shape}")
            table = arr
            self._pat3 = arr
            self.pri.pat3 = &table[0, 0]

    def _idle(self):
        if self.active:
            raise RuntimeError("the tree is being searched")

    # ---- the root
    def reset(self, CBoard board, double komi, int last1=-1, int last2=-1):
        """Make ``board`` (its current position) the root of an empty tree. ``last1``,
        ``last2``: the point indices of the last two moves (-1: none), for the priors."""
        self._idle()
        if board.cur.n != self.n:
            raise ValueError(f"a {board.cur.n}x{board.cur.n} board for a {self.n}x{self.n} tree")
        board_copy(&self.root_board, &board.cur)
        self.prm.komi = komi
        self.last1 = NULL_LOC if last1 < 0 else _point_to_loc(last1, self.n)
        self.last2 = NULL_LOC if last2 < 0 else _point_to_loc(last2, self.n)
        self.pool.used = 1
        _node_init(&self.pool, 0, NULL_LOC, 0.0, 0.0)
        self._expand_root()

    cdef void _expand_root(self):
        cdef GoBoard scratch
        if self.pool.state[0] == S_EXPANDED or self.root_board.passes >= 2:
            return
        board_copy(&scratch, &self.root_board)
        self._expand(0, &scratch, self.last1, self.last2)

    def advance(self, int point) -> bool:
        """Play ``point`` at the root, keeping the subtree below it (the rest is freed).

        Returns False when the move was not in the tree (then the tree starts afresh from
        the new position). The move must be legal."""
        self._idle()
        cdef int loc = _point_to_loc(point, self.n), j, child = NO_NODE
        cdef Pool* p = &self.pool
        if p.state[0] == S_EXPANDED:
            for j in range(p.first_child[0], p.first_child[0] + p.n_children[0]):
                if p.move[j] == loc:
                    child = j
                    break
        play_unchecked(&self.root_board, loc, self.root_board.to_play)
        self.last2 = self.last1
        self.last1 = loc
        if child == NO_NODE:
            self.pool.used = 1
            _node_init(p, 0, NULL_LOC, 0.0, 0.0)
            self._expand_root()
            return False
        self._compact(child)
        self._expand_root()
        return True

    cdef int _compact(self, int new_root) except -1:
        """Copy the subtree of ``new_root`` into a fresh pool, breadth first (root at 0)."""
        cdef Pool fresh
        memset(&fresh, 0, sizeof(Pool))
        if _pool_resize(&fresh, self.pool.cap) < 0:
            raise MemoryError()
        cdef Pool* old = &self.pool
        cdef int head = 0, i, j, k, fc, nc
        _node_copy(&fresh, 0, old, new_root)
        cdef int32_t* src = <int32_t*>realloc(NULL, self.pool.cap * sizeof(int32_t))
        if src == NULL:
            _pool_free(&fresh)
            raise MemoryError()
        src[0] = new_root
        fresh.used = 1
        while head < fresh.used:
            i = head
            j = src[head]
            head += 1
            if old.state[j] != S_EXPANDED:
                continue
            fc = old.first_child[j]
            nc = old.n_children[j]
            fresh.first_child[i] = fresh.used
            fresh.n_children[i] = nc
            fresh.state[i] = S_EXPANDED
            for k in range(nc):
                _node_copy(&fresh, fresh.used + k, old, fc + k)
                src[fresh.used + k] = fc + k
            fresh.used += nc
        free(src)
        fresh.move[0] = NULL_LOC
        _pool_free(&self.pool)
        self.pool = fresh
        return 0

    def restrict_root(self, const uint8_t[::1] allowed):
        """Rule out the root children whose point index (pass = N*N) is 0 in ``allowed``
        (superko, a cleanup phase); the others are allowed again."""
        self._idle()
        cdef int A = self.n * self.n + 1, j
        if allowed.shape[0] != A:
            raise ValueError(f"allowed must have {A} entries")
        cdef Pool* p = &self.pool
        if p.state[0] != S_EXPANDED:
            return
        for j in range(p.first_child[0], p.first_child[0] + p.n_children[0]):
            if allowed[_loc_to_point(p.move[j], self.n)]:
                p.flags[j] &= ~F_PRUNED
            else:
                p.flags[j] |= F_PRUNED

    @property
    def root_hash(self) -> int:
        return self.root_board.hash

    @property
    def root_to_play(self) -> int:
        return self.root_board.to_play

    @property
    def nodes(self) -> int:
        """Nodes in use in the pool."""
        return min(self.pool.used, self.pool.cap)

    @property
    def capacity(self) -> int:
        return self.pool.cap

    def reserve(self, int sims):
        """Grow the pool (doubling, up to ``max_nodes``) so that ``sims`` simulations can
        each expand a node. Only between searches; ``search`` calls it itself when no other
        search of this tree runs."""
        self._idle()
        self._reserve(sims)

    cdef int _reserve(self, int sims) except -1:
        cdef Pool* p = &self.pool
        if p.used > p.cap:
            p.used = p.cap  # failed concurrent allocations overshoot
        cdef long need = p.used + <long>sims * (self.n * self.n + 1) // max(1, self.prm.expand_after) + self.n * self.n + 1
        cdef long cap = p.cap
        while cap < need and cap < self.max_nodes:
            cap *= 2
        cap = min(cap, <long>self.max_nodes)
        if cap > p.cap and _pool_resize(p, <int>cap) < 0:
            raise MemoryError()
        return 0

    # ---- one simulation
    cdef bint _expand(self, int node, GoBoard* b, int last1, int last2) noexcept nogil:
        """Give ``node`` (position ``b``) its children: every legal move (simple ko) and pass,
        with their priors. False when another thread is at it or the pool is full."""
        cdef Pool* p = &self.pool
        cdef bint shared = self.shared
        if shared:
            if not uct_cas8(&p.state[node], S_LEAF, S_EXPANDING):
                return False
        elif p.state[node] != S_LEAF:
            return False
        cdef int k = b.n_empty + 1, start, count = 0, i, loc, pla = b.to_play
        cdef float pn, pw
        if shared:
            start = uct_fetch_add(&p.used, k)
        else:
            start = p.used
            p.used += k
        if start + k > p.cap:
            if not shared:
                p.used = start
            uct_store8(&p.state[node], S_LEAF)
            return False
        for i in range(b.n_empty):
            loc = b.empty[i]
            if is_legal_simple(b, loc, pla):
                prior_of(&self.pri, b, loc, pla, last1, last2, &pn, &pw)
                _node_init(p, start + count, loc, pn, pw)
                count += 1
        prior_of(&self.pri, b, PASS_LOC, pla, last1, last2, &pn, &pw)
        _node_init(p, start + count, PASS_LOC, pn, pw)
        count += 1
        if not shared:
            p.used = start + count
        p.first_child[node] = start
        p.n_children[node] = count
        uct_store8(&p.state[node], S_EXPANDED)
        return True

    cdef int _select(self, int node, uint64_t* rng) noexcept nogil:
        """The child with the highest MC-RAVE value (plus the UCB term when ``c_ucb`` > 0);
        ties broken at random. ``NO_NODE`` when every child is pruned."""
        cdef Pool* p = &self.pool
        cdef int fc = p.first_child[node], nc = p.n_children[node], j, best = NO_NODE, ties = 0
        cdef double n, w, na, wa, v, best_v = -1e300
        cdef double logn = log(p.visits[node] + 1.0)
        cdef double pa = self.prm.prior_amaf
        for j in range(fc, fc + nc):
            if p.flags[j] & F_PRUNED:
                continue
            n = p.visits[j] + p.prior_n[j]
            w = 0.5 * p.wins2[j] + p.prior_w[j]
            if self.prm.rave:
                na = p.amaf_n[j] + pa * p.prior_n[j]
                wa = 0.5 * p.amaf_w2[j] + pa * p.prior_w[j]
            else:
                na = 0.0
                wa = 0.0
            if self.shared:
                n += self.prm.vloss_visits * p.vloss[j]
            v = rave_value(n, w, na, wa, self.prm.four_b2, self.prm.fpu)
            if self.prm.c_ucb > 0:
                v += self.prm.c_ucb * sqrt(logn / n) if n > 0 else 1e6
            if v > best_v + 1e-12:
                best_v = v
                best = j
                ties = 1
            elif v >= best_v - 1e-12:
                ties += 1
                if (rng_next(rng) >> 33) % ties == 0:
                    best = j
        return best

    cdef void _backup(self, const int32_t* path, const int16_t* moves, int depth, uint8_t* first,
                      int black2) noexcept nogil:
        """Back one simulation up: ``path[0..depth]`` its nodes (root first), ``moves[i]``
        the move from ``path[i]`` to ``path[i + 1]``, ``first[loc]`` the colour that played
        ``loc`` first in the playout after the tree (0: nobody), ``black2`` black's result
        in half wins (2 win, 1 tie, 0 loss). ``first`` is overwritten."""
        cdef Pool* p = &self.pool
        cdef bint shared = self.shared
        cdef int root_pla = self.root_board.to_play, i, j, nd, col, r, loc, fc, nc
        for i in range(depth + 1):
            nd = path[i]
            col = 3 - root_pla if i % 2 == 0 else root_pla  # who moved into path[i]
            r = black2 if col == BLACK else 2 - black2
            _add(&p.visits[nd], 1, shared)
            _add(&p.wins2[nd], r, shared)
            if shared and i > 0:
                _add(&p.vloss[nd], -1, True)
        _add(&p.leaf_visits[path[depth]], 1, shared)
        if not self.prm.rave:
            return
        # AMAF, leaf to root: first[] holds the first player of each point from step i on
        for i in range(depth - 1, -1, -1):
            col = root_pla if i % 2 == 0 else 3 - root_pla  # to move at path[i]
            loc = moves[i]
            if loc != PASS_LOC:
                first[loc] = col
            r = black2 if col == BLACK else 2 - black2
            nd = path[i]
            fc = p.first_child[nd]
            nc = p.n_children[nd]
            for j in range(fc, fc + nc):
                loc = p.move[j]
                if loc != PASS_LOC and first[loc] == col:
                    _add(&p.amaf_n[j], 1, shared)
                    _add(&p.amaf_w2[j], r, shared)

    cdef long _simulate(self, uint64_t* rng, double* own) noexcept nogil:
        """One simulation: descend, expand, play out, score, back up. Returns moves played."""
        cdef GoBoard b
        cdef uint8_t first[MAX_ARR]
        cdef signed char owner[MAX_ARR]
        cdef int32_t path[MAX_DEPTH + 1]
        cdef int16_t moves[MAX_DEPTH]
        cdef Pool* p = &self.pool
        cdef int depth = 0, node = 0, child, loc, last1 = self.last1, last2 = self.last2
        cdef int r, c, nn = self.n, black2
        cdef int32_t nb = 0, nw = 0
        cdef long played = 0
        cdef double score
        board_copy(&b, &self.root_board)
        path[0] = 0
        while b.passes < 2 and depth < MAX_DEPTH:
            if uct_load8(&p.state[node]) != S_EXPANDED:
                if p.visits[node] < self.prm.expand_after or not self._expand(node, &b, last1, last2):
                    break
            child = self._select(node, rng)
            if child == NO_NODE:
                break
            if self.shared:
                _add(&p.vloss[child], 1, True)
            loc = p.move[child]
            play_unchecked(&b, loc, b.to_play)
            moves[depth] = loc
            depth += 1
            path[depth] = child
            last2 = last1
            last1 = loc
            node = child
        memset(first, 0, b.size)
        if b.passes < 2:
            played = run_playout(&b, rng, self.prm.max_moves, first, False, self.pol)
        if own != NULL:
            area_owner(&b, owner)
            for r in range(nn):
                for c in range(nn):
                    loc = (r + 1) * b.stride + c + 1
                    own[r * nn + c] += owner[loc]
                    nb += owner[loc] == 1
                    nw += owner[loc] == -1
        else:
            area_counts(&b, &nb, &nw)
        score = nb - nw - self.prm.komi
        black2 = 2 if score > 0 else (1 if score == 0 else 0)
        self._backup(path, moves, depth, first, black2)
        return played + depth

    # ---- searching
    def search(self, int sims, uint64_t seed, double[::1] ownership=None) -> int:
        """Run ``sims`` simulations without the GIL; returns the moves played (tree and
        playouts). ``ownership`` (``N*N``), when given, gets each final owner added (+1
        black, -1 white). A plain tree takes one thread at a time; a shared tree several
        (each with its own seed and ownership array)."""
        if ownership is not None and ownership.shape[0] != self.n * self.n:
            raise ValueError(f"ownership must have {self.n * self.n} entries")
        if self.active and not self.shared:
            raise RuntimeError("a plain tree takes one search at a time (shared=True for more)")
        if self.active == 0:
            self._reserve(sims)
            self._expand_root()
        cdef double* own = &ownership[0] if ownership is not None else NULL
        cdef uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 0x7F4A7C15D1B54A32ULL
        if rng == 0:
            rng = 1
        cdef long total = 0
        cdef int i
        self.active += 1
        try:
            with nogil:
                for i in range(sims):
                    total += self._simulate(&rng, own)
        finally:
            self.active -= 1
        return total

    # ---- outside knowledge (a policy-value net), between searches
    def frontier(self, int min_visits, int limit):
        """The expanded nodes not yet guided (``add_guide``) that have at least
        ``min_visits`` visits (the root whatever its visits), most visited first (the root
        first), at most ``limit``: a list of ``(node, path)``, ``path`` the point indices
        from the root. Pruned root moves are left out. Node ids hold until the tree is next
        searched, advanced or reset."""
        self._idle()
        cdef Pool* p = &self.pool
        cdef int i, j, fc, nc
        found = []
        stack = [(0, ())]
        while stack:
            i, path = stack.pop()
            if p.state[i] != S_EXPANDED:
                continue
            if not p.flags[i] & F_GUIDED:
                found.append((i != 0, -p.visits[i], len(found), i, path))
            fc = p.first_child[i]
            nc = p.n_children[i]
            for j in range(fc, fc + nc):
                if p.visits[j] >= min_visits and p.visits[j] > 0 and not p.flags[j] & F_PRUNED:
                    stack.append((j, path + (_loc_to_point(p.move[j], self.n),)))
        found.sort()
        return [(i, list(path)) for _, _, _, i, path in found[: max(limit, 0)]]

    def add_guide(self, int node, const float[::1] policy, double eqex, double value=-1.0,
                  double value_eqex=0.0, double min_p=0.001):
        """Outside knowledge about expanded ``node``, as virtual experience: each child whose
        move has probability ``q >= min_p`` in ``policy`` (by point index, pass last) gets
        ``sqrt(q) * eqex`` virtual visits, all won (Pachi's form for its policy net's
        priors); with ``value`` in [0, 1] (the win rate of the player who moved into
        ``node``) the node itself gets ``value_eqex`` virtual visits at that rate. Marks the
        node guided (``frontier`` then leaves it out, and tree reuse keeps the mark)."""
        self._idle()
        cdef Pool* p = &self.pool
        cdef int A = self.n * self.n + 1, j
        cdef double q, v
        if not 0 <= node < min(p.used, p.cap) or p.state[node] != S_EXPANDED:
            raise ValueError(f"node {node} is not an expanded node of the tree")
        if policy.shape[0] != A:
            raise ValueError(f"policy must have {A} entries")
        if eqex < 0 or value_eqex < 0:
            raise ValueError("eqex and value_eqex must not be negative")
        for j in range(p.first_child[node], p.first_child[node] + p.n_children[node]):
            q = policy[_loc_to_point(p.move[j], self.n)]
            if q >= min_p and q == q:
                v = sqrt(min(q, 1.0)) * eqex
                p.prior_n[j] += v
                p.prior_w[j] += v
        if 0.0 <= value <= 1.0 and value_eqex > 0:
            p.prior_n[node] += value_eqex
            p.prior_w[node] += value_eqex * value
        p.flags[node] |= F_GUIDED

    def guided(self, path=()):
        """Whether the node reached by ``path`` has had ``add_guide`` (None: not in the tree)."""
        cdef int node = self._node_at(path)
        if node == NO_NODE:
            return None
        return bool(self.pool.flags[node] & F_GUIDED)

    # ---- reading the tree
    cdef int _node_at(self, path) except -2:
        """The node reached from the root by the point indices in ``path``; -1 if none."""
        cdef Pool* p = &self.pool
        cdef int node = 0, j, loc, found
        for point in path:
            loc = _point_to_loc(point, self.n)
            if p.state[node] != S_EXPANDED:
                return NO_NODE
            found = NO_NODE
            for j in range(p.first_child[node], p.first_child[node] + p.n_children[node]):
                if p.move[j] == loc:
                    found = j
                    break
            if found == NO_NODE:
                return NO_NODE
            node = found
        return node

    def stats(self, path=()):
        """The node reached by ``path`` (point indices from the root) and its children:
        ``{"visits", "wins", "leaf_visits", "expanded", "children": {...}}`` where children
        holds arrays ``move`` (point index), ``visits``, ``wins``, ``amaf_visits``,
        ``amaf_wins``, ``prior_visits``, ``prior_wins``, ``virtual_loss``, ``pruned``.
        Wins are from the view of the player who moves into the node/child. None if the
        path is not in the tree."""
        cdef int node = self._node_at(path)
        if node == NO_NODE:
            return None
        cdef Pool* p = &self.pool
        cdef int fc = p.first_child[node], nc = p.n_children[node] if p.state[node] == S_EXPANDED else 0
        cdef int k, j
        children = {
            key: np.zeros(nc, dtype=dt)
            for key, dt in (("move", np.int32), ("visits", np.int64), ("wins", np.float64),
                            ("amaf_visits", np.int64), ("amaf_wins", np.float64),
                            ("prior_visits", np.float64), ("prior_wins", np.float64),
                            ("virtual_loss", np.int64), ("pruned", bool))
        }
        for k in range(nc):
            j = fc + k
            children["move"][k] = _loc_to_point(p.move[j], self.n)
            children["visits"][k] = p.visits[j]
            children["wins"][k] = 0.5 * p.wins2[j]
            children["amaf_visits"][k] = p.amaf_n[j]
            children["amaf_wins"][k] = 0.5 * p.amaf_w2[j]
            children["prior_visits"][k] = p.prior_n[j]
            children["prior_wins"][k] = p.prior_w[j]
            children["virtual_loss"][k] = p.vloss[j]
            children["pruned"][k] = p.flags[j] & F_PRUNED
        return {
            "visits": p.visits[node],
            "wins": 0.5 * p.wins2[node],
            "leaf_visits": p.leaf_visits[node],
            "expanded": p.state[node] == S_EXPANDED,
            "children": children,
        }

    def pv(self, int point, int min_visits=2, int max_length=64):
        """The principal variation from root move ``point``: then, while the node is
        expanded and its most visited child has at least ``min_visits`` visits, that child.
        Empty if ``point`` is not a root child."""
        cdef int node = self._node_at((point,)), j, best, best_v
        if node == NO_NODE:
            return []
        cdef Pool* p = &self.pool
        out = [point]
        while len(out) < max_length and p.state[node] == S_EXPANDED:
            best = NO_NODE
            best_v = -1
            for j in range(p.first_child[node], p.first_child[node] + p.n_children[node]):
                if p.visits[j] > best_v:
                    best_v = p.visits[j]
                    best = j
            if best == NO_NODE or best_v < min_visits:
                break
            out.append(_loc_to_point(p.move[best], self.n))
            node = best
        return out

    def check(self):
        """Check every invariant of the tree; ``AssertionError`` naming the first broken
        one. Returns ``{"nodes": reachable nodes, "depth": deepest level}``."""
        self._idle()
        cdef Pool* p = &self.pool
        cdef int i, j, fc, nc, total
        stack = [(0, 0)]
        reachable = 0
        deepest = 0
        while stack:
            i, level = stack.pop()
            reachable += 1
            deepest = max(deepest, level)
            if p.vloss[i] != 0:
                raise AssertionError(f"node {i}: virtual loss {p.vloss[i]} left after the search")
            if not 0 <= p.wins2[i] <= 2 * p.visits[i]:
                raise AssertionError(f"node {i}: wins {p.wins2[i] / 2} out of range for {p.visits[i]} visits")
            if not 0 <= p.amaf_w2[i] <= 2 * p.amaf_n[i]:
                raise AssertionError(f"node {i}: AMAF wins {p.amaf_w2[i] / 2} out of range for {p.amaf_n[i]}")
            if not (p.prior_n[i] >= 0 and 0 <= p.prior_w[i] <= p.prior_n[i] + 1e-3):
                raise AssertionError(f"node {i}: prior {p.prior_w[i]}/{p.prior_n[i]} out of range")
            if p.state[i] == S_EXPANDING:
                raise AssertionError(f"node {i}: left half expanded")
            total = p.leaf_visits[i]
            if p.state[i] == S_EXPANDED:
                fc = p.first_child[i]
                nc = p.n_children[i]
                if fc <= i or fc + nc > min(p.used, p.cap) or nc < 1:
                    raise AssertionError(f"node {i}: children {fc}..{fc + nc} outside the pool")
                for j in range(fc, fc + nc):
                    total += p.visits[j]
                    stack.append((j, level + 1))
            if total != p.visits[i]:
                raise AssertionError(
                    f"node {i}: {p.visits[i]} visits, but {p.leaf_visits[i]} ended there and "
                    f"{total - p.leaf_visits[i]} went on to its children"
                )
        return {"nodes": reachable, "depth": deepest}

    # ---- test hooks
    def expand_path(self, path):
        """Expand the node reached by ``path`` (point indices from the root), as a
        simulation would, whatever its visits; returns its number of children."""
        self._idle()
        if self.pool.used + self.n * self.n + 1 > self.pool.cap:
            self._reserve(1)
        cdef GoBoard b
        board_copy(&b, &self.root_board)
        cdef int last1 = self.last1, last2 = self.last2, loc
        for point in path:
            loc = _point_to_loc(point, self.n)
            if not (loc == PASS_LOC or is_legal_simple(&b, loc, b.to_play)):
                raise ValueError(f"move {point} on the path is illegal")
            play_unchecked(&b, loc, b.to_play)
            last2, last1 = last1, loc
        cdef int node = self._node_at(path)
        if node == NO_NODE:
            raise ValueError(f"path {list(path)} is not in the tree")
        self._expand(node, &b, last1, last2)
        return self.pool.n_children[node]

    def backup_path(self, path, first, double black_result):
        """Back up one simulation as ``search`` does: the tree moves ``path`` (point
        indices from the root; every node on it but the last must be expanded), the
        playout's first colours ``first`` (``N*N`` values: 0 nobody, 1 black, 2 white),
        and black's result (1 win, 0.5 tie, 0 loss). Virtual loss is added as a descent
        would, so the statistics end as after a search."""
        self._idle()
        cdef int32_t nodes[MAX_DEPTH + 1]
        cdef int16_t locs[MAX_DEPTH]
        cdef uint8_t fa[MAX_ARR]
        cdef int depth = 0, i, pt
        if len(path) > MAX_DEPTH:
            raise ValueError("path too long")
        if len(first) != self.n * self.n:
            raise ValueError(f"first must have {self.n * self.n} entries")
        nodes[0] = 0
        for i in range(len(path)):
            nodes[i + 1] = self._node_at(path[: i + 1])
            if nodes[i + 1] == NO_NODE:
                raise ValueError(f"path {list(path[: i + 1])} is not in the tree")
            locs[i] = _point_to_loc(path[i], self.n)
            if self.shared:
                self.pool.vloss[nodes[i + 1]] += 1
        depth = len(path)
        memset(fa, 0, MAX_ARR)
        for pt in range(self.n * self.n):
            fa[_point_to_loc(pt, self.n)] = first[pt]
        self._backup(nodes, locs, depth, fa, <int>(2 * black_result + 0.5))

    def prior(self, CBoard board, int point, int last1=-1, int last2=-1):
        """(virtual visits, virtual wins) the priors give the side to move's legal
        ``point`` on ``board`` (last moves as point indices, -1: none)."""
        cdef float pn, pw
        cdef int loc = _point_to_loc(point, self.n)
        cdef int l1 = NULL_LOC if last1 < 0 else _point_to_loc(last1, self.n)
        cdef int l2 = NULL_LOC if last2 < 0 else _point_to_loc(last2, self.n)
        if board.cur.n != self.n:
            raise ValueError("board size differs from the tree's")
        prior_of(&self.pri, &board.cur, loc, board.cur.to_play, l1, l2, &pn, &pw)
        return float(pn), float(pw)

    @staticmethod
    def pattern_code(CBoard board, int point, int pla):
        """``pat3_code`` of ``point`` for colour ``pla`` (1 black, 2 white) on ``board``."""
        return pat3_code(&board.cur, _point_to_loc(point, board.cur.n), pla)
