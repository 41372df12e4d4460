/*
 * umcg.pml: umcgcheck's library-level UMCG model (model/*.go) in Promela,
 * for the `single` configuration family: one group, one server (thread 0),
 * N workers (threads 1..N) that each register, make B blocking syscalls and
 * unregister; no faults, no deliberate bug. See bench/spin/README.md.
 *
 *   spin -o2 -DN=3 -DB=1 -a umcg.pml            seed variant
 *   spin -o2 -DN=3 -DB=1 -DFIXED -a umcg.pml    fixed variant
 *   gcc -O2 -DNOREDUCE -DSAFETY -o pan pan.c && ./pan -m100000
 *
 * (-o2 keeps write-only variables in the state vector: they are state in
 * umcgcheck. -DNOCHECK leaves out the property assertions.)
 *
 * Every field of model.State is a global variable here, with the same name
 * and the same values (None, and errno -1/-2, as the unsigned bytes the Go
 * encoding writes: 255, 255, 254). Each action of the Go model is one
 * d_step, so that SPIN stores exactly the states umcgcheck stores: a Go
 * state and its Promela state determine each other (the process locations
 * are functions of the variables, see the proctypes).
 */

#ifndef N
#define N 2			/* workers */
#endif
#ifndef B
#define B 1			/* blocking syscalls per worker */
#endif
#define NT (N+1)		/* threads: the server, then the workers */

#ifdef FIXED
#define FIXEDV 1
#else
#define FIXEDV 0
#endif

#define NONE 255		/* None (-1) as a byte */

/* model.Status */
#define ALIVE    0
#define FINISHED 1
#define EXITED   2
#define KILLED   3
#define DEAD     4
#define ABORTED  5

/* model.Call */
#define C_NONE       0
#define C_REG_WORKER 2
#define C_REG_SERVER 3
#define C_UNREG      4
#define C_POLL       10
#define C_RUN        11
#define C_STATE      12

/* model.Kind */
#define K_NONE   0
#define K_WORKER 2
#define K_SERVER 3

/* model.Sleep */
#define AWAKE  0
#define S_IDLE 3
#define S_POLL 4
#define S_RUN  5
#define S_IO   6

/* model.Wake */
#define W_NONE   0
#define W_NORMAL 1
#define W_SIGNAL 2

/* model.Reason */
#define R_NONE      0
#define R_BLOCKED   1
#define R_YIELDED   2
#define R_UNREG     3
#define R_PREEMPTED 4

/* model.TaskState (v0.1 uapi) */
#define ST_NONE       0
#define ST_POLLING    1
#define ST_SERVING    2
#define ST_PROCESSING 3
#define ST_RUNNABLE   4
#define ST_RUNNING    5
#define ST_BLOCKED    6
#define ST_UNBLOCKED  7
#define BASE(w) ((w) & 255)

/* model.Errno, as the unsigned byte the Go encoding writes */
#define EINVAL      22
#define ESRCH       3
#define EAGAIN      11
#define ENOMEM      12
#define EMINUS1     255		/* the seed's errno = ret (-1) */
#define ENTRY_UNREG 254		/* model.EntryUnregistered (-2) */
#ifdef FIXED
#define LIBERRNO(e) (e)
#else
#define LIBERRNO(e) EMINUS1
#endif

/* library step numbers (Thread.LPC), model/library.go */
#define LP_REG_GROUP   1
#define LP_REG_SYS     2
#define LP_REG_RESUMED 3
#define LP_UNREG_FREE  1
#define LP_UNREG_CLEAR 2
#define LP_POLL_SYS    1
#define LP_POLL_DONE   2
#define LP_RUN_CASW    1
#define LP_RUN_CASS    2
#define LP_RUN_SYS     3
#define LP_RUN_DONE    4
#define LP_RUN_UNDO    5
#define LP_STATE_LOAD  1

/* client program counters (Thread.PC), model/client.go */
#define SRV_REGISTER 0
#define SRV_POLL     1
#define SRV_RUN      2
#define SRV_STATE    3
#define WRK_REGISTER   0
#define WRK_NEXT       1
#define WRK_AFTERIO    2
#define WRK_UNREGISTER 3

/* ---- model.Thread, one array element per thread ---- */
/* client program */
byte PC[NT];
byte Iter[NT];
byte Status[NT];
byte Sig[NT];
/* library call in progress */
byte Fn[NT];
byte LPC[NT];
byte Arg[NT] = NONE;
byte Ptr[NT] = NONE;
byte PtrGen[NT];
byte Local[NT];
short Ret[NT];
byte Errno[NT];
byte SysRet[NT];
/* user memory */
byte TLS[NT];
byte Gen[NT];
bool Freed[NT];
short Word[NT];
/* kernel */
byte Kind[NT];
byte Group[NT] = NONE;
byte Peer[NT] = NONE;
bool InWait[NT];
byte Sleep[NT];
byte Wake[NT];
byte Out[NT] = NONE;
byte Reason[NT];
/* ghost */
byte GEntry[NT];
byte GKern[NT];

/* ---- model.Group 0 ---- */
byte Lib = 1;
bool Exists = 1;
byte NrTasks;
byte NWait;
byte Waiters[NT];
byte NGhost;
byte Ghost[NT];

/* Temporaries of one d_step: written before they are read in every step,
 * so they are no part of the state (hidden: not in the state vector). */
hidden byte rf_i, rf_x, wk_x, up_p, pu_srv, pu_w, ur_p, pw_w, bl_srv, sr_w;
hidden byte sys_e, sys_slept, rs_why, rs_fin, rn_e, rn_w, pd_e, pd_w;
hidden byte ug_i, ug_j, ug_w, ug_f, ck_i, ck_p, ck_j;

/* ---- kernel helpers (model/kernel.go) ---- */

/* removeFrom(&Waiters, &NWait, x) and removeFrom(&Ghost, &NGhost, x): drop
 * the first x, shift the rest left, clear the freed slot */
#define REMOVE_FROM(list, n, x) \
	rf_x = x; \
	rf_i = 0; \
	do \
	:: rf_i < n && list[rf_i] != rf_x -> rf_i++ \
	:: else -> break \
	od; \
	if \
	:: rf_i < n -> \
		do \
		:: rf_i + 1 < n -> list[rf_i] = list[rf_i + 1]; rf_i++ \
		:: else -> break \
		od; \
		n--; \
		list[n] = 0 \
	:: else -> skip \
	fi

inline removeW(x) { REMOVE_FROM(Waiters, NWait, x) }
inline removeG(x) { REMOVE_FROM(Ghost, NGhost, x) }

inline wake(x, w) {
	wk_x = x;
	if
	:: Sleep[wk_x] == AWAKE || Wake[wk_x] != W_NONE || Status[wk_x] != ALIVE -> skip
	:: else -> Wake[wk_x] = w
	fi
}

inline sleepT(x, where, iw) {
	Sleep[x] = where; Wake[x] = W_NONE; InWait[x] = iw
}

inline pair(a, b) {
	Peer[a] = b; Peer[b] = a
}

inline unpair(a) {
	up_p = Peer[a];
	if
	:: up_p != NONE -> Peer[up_p] = NONE; Peer[a] = NONE
	:: else -> skip
	fi
}

/* process_unblocked_worker */
inline processUnblocked(w) {
	pu_w = w;
	if
	:: NWait > 0 && Kind[Waiters[0]] == K_SERVER ->
		pu_srv = Waiters[0];
		removeW(pu_srv);
		if
		:: Peer[pu_srv] != NONE || Peer[pu_w] != NONE ->
			Status[pu_w] = KILLED	/* WARN_ON: finding unblock-while-peer */
		:: else ->
			Word[pu_w] = ST_RUNNABLE;
			pair(pu_srv, pu_w);
			Out[pu_srv] = pu_w;
			wake(pu_srv, W_NORMAL);
			sleepT(pu_w, S_IDLE, 1)
		fi
	:: else ->
		Word[pu_w] = ST_UNBLOCKED;
		Waiters[NWait] = pu_w;
		NWait++;
		sleepT(pu_w, S_IDLE, 1)
	fi
}

/* umcg_on_wake (onWake, onWakeFixed) */
inline onWake(w) {
#ifndef FIXED
	if
	:: Word[w] == ST_RUNNING && Peer[w] != NONE ->
		Sleep[w] = AWAKE; InWait[w] = 0
	:: else ->
		if
		:: Word[w] == ST_BLOCKED || Word[w] == ST_RUNNING || Word[w] == ST_UNBLOCKED ->
			Word[w] = ST_UNBLOCKED;
			processUnblocked(w)
		:: else ->
			Status[w] = KILLED
		fi
	fi
#else
	if
	:: BASE(Word[w]) == ST_RUNNING && Peer[w] != NONE ->
		if
		:: Sleep[Peer[w]] == S_RUN -> Sleep[w] = AWAKE; InWait[w] = 0
		:: else -> sleepT(w, S_IDLE, 1)
		fi
	:: else ->
		if
		:: Word[w] == ST_BLOCKED || BASE(Word[w]) == ST_RUNNING ->
			Word[w] = ST_UNBLOCKED;
			processUnblocked(w)
		:: else ->
			sleepT(w, S_IDLE, 1)
		fi
	fi
#endif
}

/* SysRegister for group 0 (Arg is group 0 for every client here):
 * sets sys_e and sys_slept */
inline SysRegister(t, kind) {
	sys_slept = 0;
	if
	:: Kind[t] != K_NONE -> sys_e = EINVAL
	:: else ->
		if
		:: !Exists -> sys_e = EINVAL
		:: else ->
			Kind[t] = kind; Group[t] = 0; NrTasks++;
			sys_e = 0;
			if
			:: kind == K_SERVER -> Word[t] = ST_PROCESSING
			:: else ->
				Word[t] = ST_UNBLOCKED;
				processUnblocked(t);
				sys_slept = 1
			fi
		fi
	fi
}

/* unregister (SysUnregister) */
inline unregister(t) {
	ur_p = Peer[t];
	if
	:: ur_p != NONE ->
		unpair(t);
		if
		:: Kind[t] == K_WORKER && Sleep[ur_p] == S_RUN ->
			Reason[ur_p] = R_UNREG;
			Out[ur_p] = NONE;
			wake(ur_p, W_NORMAL)
		:: else -> skip
		fi
	:: else -> skip
	fi;
	if
	:: Group[t] != NONE ->
		removeW(t);
		NrTasks--
	:: else -> skip
	fi;
	Kind[t] = K_NONE; Group[t] = NONE;
#ifdef FIXED
	Word[t] = ST_NONE	/* fix unregister-writes-none */
#endif
	/* v0.1 never writes the state word on unregister */
	skip
}

/* sys_umcg_poll_worker: sets sys_e and sys_slept */
inline SysPollWorker(t) {
	sys_slept = 0;
	if
	:: Kind[t] != K_SERVER -> sys_e = EINVAL
	:: else ->
		unpair(t);
		if
		:: NWait > 0 && Kind[Waiters[0]] != K_SERVER ->
			pw_w = Waiters[0];
			removeW(pw_w);
			if
			:: Peer[pw_w] != NONE ->
				Status[t] = KILLED;	/* WARN_ON(worker_utd->peer) */
				sys_e = EINVAL
			:: else ->
				Word[pw_w] = ST_RUNNABLE;
				pair(t, pw_w);
				Out[t] = pw_w;
				sys_e = 0
			fi
		:: else ->
			Out[t] = NONE;
			Waiters[NWait] = t;
			NWait++;
			sleepT(t, S_POLL, 0);
			sys_e = 0;
			sys_slept = 1
		fi
	fi
}

/* the poll syscall of thread t sleeps (the guard of its step, evaluated
 * before it): a server with no UNBLOCKED worker queued */
#define POLL_SLEEPS(t) (Fn[t] == C_POLL && LPC[t] == LP_POLL_SYS && Kind[t] == K_SERVER && \
			(NWait == 0 || Kind[Waiters[0]] == K_SERVER))

/* sys_umcg_run_worker: sets sys_e and sys_slept */
inline SysRunWorker(t, w) {
	sr_w = w;
	sys_slept = 0;
	if
	:: Kind[t] != K_SERVER -> sys_e = EINVAL
	:: else ->
		if
		:: Status[sr_w] != ALIVE -> sys_e = ESRCH
		:: else ->
			if
			:: Kind[sr_w] != K_WORKER || Group[sr_w] != Group[t] -> sys_e = EINVAL
			:: else ->
				if
				:: !InWait[sr_w] || Sleep[sr_w] == AWAKE || Wake[sr_w] != W_NONE -> sys_e = EAGAIN
#ifdef FIXED
				:: else ->
					if
					:: BASE(Word[sr_w]) != ST_RUNNING -> sys_e = EINVAL
					:: else ->
						sys_e = 0;
						if
						:: Peer[t] != sr_w ->
							unpair(t);
							if
							:: Peer[sr_w] != NONE -> sys_e = EINVAL
							:: else -> pair(t, sr_w)
							fi
						:: else -> skip
						fi;
						if
						:: sys_e == 0 ->
							wake(sr_w, W_NORMAL);
							Out[t] = NONE; Reason[t] = R_NONE;
							sleepT(t, S_RUN, 1);
							sys_slept = 1
						:: else -> skip
						fi
					fi
#else
				:: else ->
					if
					:: Peer[t] != sr_w ->
						unpair(t);
						pair(t, sr_w)	/* v0.1 only warns when the worker is linked elsewhere */
					:: else -> skip
					fi;
					wake(sr_w, W_NORMAL);
					Out[t] = NONE; Reason[t] = R_NONE;
					sleepT(t, S_RUN, 1);
					sys_e = 0;
					sys_slept = 1
#endif
				fi
			fi
		fi
	fi
}

/* kernel event: a worker enters a blocking syscall */
inline Block(w) {
	if
	:: Kind[w] == K_WORKER && Word[w] == ST_RUNNING ->
		Word[w] = ST_BLOCKED;
		bl_srv = Peer[w];
		if
		:: bl_srv != NONE ->
			Reason[bl_srv] = R_BLOCKED;
			Out[bl_srv] = w;
#ifdef FIXED
			unpair(w);
#endif
			wake(bl_srv, W_NORMAL)
		:: else -> skip
		fi
	:: else -> skip
	fi;
	sleepT(w, S_IO, 0)
}

/* kernel event: the blocking syscall completes */
inline Unblock(w) {
	if
	:: Kind[w] != K_WORKER -> Sleep[w] = AWAKE
	:: else -> onWake(w)
	fi
}

/* Resume: a woken thread finishes its syscall; SysRet gets the result.
 * Without faults every wakeup is W_NORMAL, so the signal branches of the
 * Go code are not needed (the assertion says so). */
inline Resume(t) {
	rs_why = Wake[t];
	assert(rs_why == W_NORMAL);
	Wake[t] = W_NONE;
	rs_fin = 0;
	if
	:: Sleep[t] == S_IDLE ->
		if
		:: Kind[t] == K_WORKER ->
#ifndef FIXED
			removeW(t);	/* finding spurious-requeue */
#endif
			onWake(t);
			rs_fin = 1
		:: else -> skip
		fi
	:: Sleep[t] == S_POLL ->
#ifdef FIXED
		if
		:: Out[t] != NONE -> skip
		:: else -> rs_fin = 1	/* sleeps on, keeping its place */
		fi
#else
		removeW(t);
		Sleep[t] = AWAKE;
		Out[t] = Peer[t];
		rs_fin = 1
#endif
	:: Sleep[t] == S_RUN ->
#ifdef FIXED
		if
		:: Reason[t] == R_NONE -> rs_fin = 1	/* sleeps on */
		:: else -> skip
		fi
#else
		Out[t] = Peer[t]
#endif
	:: else -> skip
	fi;
	if
	:: !rs_fin -> Sleep[t] = AWAKE; InWait[t] = 0
	:: else -> skip
	fi;
	SysRet[t] = 0
}

/* ---- ghost queue: workers in the order they became UNBLOCKED ---- */
inline updateGhost() {
	ug_i = 0;
	do
	:: ug_i < NGhost ->
		ug_w = Ghost[ug_i];
		if
		:: Kind[ug_w] == K_WORKER && Word[ug_w] == ST_UNBLOCKED && Group[ug_w] == 0 -> ug_i++
		:: else -> removeG(ug_w)
		fi
	:: else -> break
	od;
	ug_i = 0;
	do
	:: ug_i < NT ->
		if
		:: Kind[ug_i] == K_WORKER && Word[ug_i] == ST_UNBLOCKED && Group[ug_i] != NONE ->
			ug_j = 0;
			do
			:: ug_j < NGhost && Ghost[ug_j] != ug_i -> ug_j++
			:: else -> break
			od;
			if
			:: ug_j == NGhost -> Ghost[NGhost] = ug_i; NGhost++
			:: else -> skip
			fi
		:: else -> skip
		fi;
		ug_i++
	:: else -> break
	od
}

/* ---- library (model/library.go) ---- */

/* the client's local logic after a library call returned (clientReturned) */
inline srvReturned(t) {
	if
	:: PC[t] == SRV_REGISTER ->
		if
		:: Ret[t] == 0 ->
			if
			:: Errno[t] != ENOMEM -> Status[t] = ABORTED
			:: else -> skip
			fi
		:: else -> PC[t] = SRV_POLL
		fi
	:: PC[t] == SRV_POLL ->
		if
		:: Ret[t] > 0 -> Iter[t] = Ret[t]; PC[t] = SRV_RUN
		:: else -> skip
		fi
	:: PC[t] == SRV_RUN ->
		if
		:: Ret[t] <= 0 && Errno[t] != 0 -> PC[t] = SRV_RUN
		:: Ret[t] <= 0 && Errno[t] == 0 -> PC[t] = SRV_POLL
		:: else ->
			Iter[t] = Ret[t];
#ifdef FIXED
			PC[t] = SRV_POLL;
			if
			:: Reason[t] == R_YIELDED || Reason[t] == R_PREEMPTED -> PC[t] = SRV_RUN
			:: else -> skip
			fi
#else
			PC[t] = SRV_STATE
#endif
		fi
	:: PC[t] == SRV_STATE ->
		if
		:: BASE(Ret[t]) == ST_RUNNABLE -> PC[t] = SRV_RUN
		:: else -> PC[t] = SRV_POLL
		fi
	fi
}

inline wrkReturned(t) {
	if
	:: PC[t] == WRK_REGISTER ->
		if
		:: Ret[t] == 0 -> Status[t] = ABORTED
		:: else -> PC[t] = WRK_NEXT
		fi
	:: PC[t] == WRK_NEXT ->
		PC[t] = WRK_UNREGISTER;
		Status[t] = FINISHED
	:: else -> skip
	fi
}

/* ret: the call returns v, and sets errno to e when sete */
inline ret(t, v, e, sete) {
	if
	:: sete -> Errno[t] = e
	:: else -> skip
	fi;
	Ret[t] = v;
	Fn[t] = C_NONE; LPC[t] = 0; Local[t] = 0; Ptr[t] = NONE; PtrGen[t] = 0;
	GEntry[t] = 0; GKern[t] = 0;
	if
	:: t == 0 -> srvReturned(t)
	:: else -> wrkReturned(t)
	fi;
	SysRet[t] = 0; Out[t] = NONE;
	Ret[t] = 0	/* servers and workers do not pass a result on */
}

/* sysFailed: a syscall returned e at once */
inline sysFailed(t, e) {
	if
	:: e != 0 && e != EAGAIN -> GKern[t] = e
	:: else -> skip
	fi
}

inline stepRegister(t, kind) {
	if
	:: LPC[t] == 0 ->
		if
		:: Arg[t] == NONE || TLS[t] != 0 ->
			GEntry[t] = EINVAL;
			ret(t, 0, EINVAL, 1)
		:: else ->
			Gen[t]++;
			TLS[t] = Gen[t]; Freed[t] = 0; Word[t] = ST_NONE;
			LPC[t] = LP_REG_GROUP
		fi
	:: LPC[t] == LP_REG_GROUP ->
		LPC[t] = LP_REG_SYS
	:: LPC[t] == LP_REG_SYS ->
		SysRegister(t, kind);
		if
		:: sys_slept -> LPC[t] = LP_REG_RESUMED
		:: else ->
			sysFailed(t, sys_e);
			if
			:: sys_e != 0 ->
				Freed[t] = 1; TLS[t] = 0;
				ret(t, 0, LIBERRNO(sys_e), 1)
			:: else ->
				ret(t, t + 1, 0, 0)
			fi
		fi
	:: LPC[t] == LP_REG_RESUMED ->
		ret(t, t + 1, 0, 0)
	fi
}

inline stepUnregister(t) {
	if
	:: LPC[t] == 0 ->
		if
		:: TLS[t] == 0 ->
			GEntry[t] = EINVAL;
			ret(t, -1, EINVAL, 1)
		:: else ->
			if
			:: Kind[t] != K_NONE -> unregister(t); sys_e = 0
			:: else -> sys_e = EINVAL
			fi;
			sysFailed(t, sys_e);
			if
			:: sys_e != 0 -> ret(t, -1, LIBERRNO(sys_e), 1)
			:: else ->
#ifdef FIXED
				LPC[t] = LP_UNREG_CLEAR	/* the task_tls is never freed */
#else
				LPC[t] = LP_UNREG_FREE
#endif
			fi
		fi
	:: LPC[t] == LP_UNREG_FREE ->
		Freed[t] = 1;
		LPC[t] = LP_UNREG_CLEAR
	:: LPC[t] == LP_UNREG_CLEAR ->
		TLS[t] = 0;
		ret(t, 0, 0, 0)
	fi
}

inline stepPoll(t) {
	if
	:: LPC[t] == 0 ->
		if
		:: Word[t] != ST_PROCESSING ->
#ifdef FIXED
			GEntry[t] = EINVAL;
			ret(t, 0, EINVAL, 1)
#else
			Status[t] = EXITED
#endif
		:: else ->
			Word[t] = ST_POLLING;
			LPC[t] = LP_POLL_SYS
		fi
	:: LPC[t] == LP_POLL_SYS ->
		SysPollWorker(t);
		if
		:: Status[t] == KILLED -> sysFailed(t, sys_e)
		:: else ->
			LPC[t] = LP_POLL_DONE;
			if
			:: !sys_slept -> sysFailed(t, sys_e); SysRet[t] = sys_e
			:: else -> skip
			fi
		fi
	:: LPC[t] == LP_POLL_DONE ->
		pd_e = SysRet[t];
		if
		:: pd_e != 0 -> GKern[t] = pd_e
		:: else -> skip
		fi;
		if
		:: Word[t] != ST_POLLING ->
#ifdef FIXED
			ret(t, 0, EINVAL, 1)
#else
			Status[t] = EXITED
#endif
		:: else ->
			Word[t] = ST_PROCESSING;
			if
			:: pd_e != 0 ->
#ifdef FIXED
				ret(t, 0, pd_e, 1)
#else
				Status[t] = EXITED
#endif
			:: else ->
				pd_w = Out[t];
				ret(t, (pd_w == NONE -> 0 : pd_w + 1), 0, 0)
			fi
		fi
	fi
}

inline stepRun(t) {
	if
	:: LPC[t] == 0 ->
		/* load *worker (loadTLSVar) */
		if
		:: Arg[t] == NONE -> Status[t] = KILLED; Ptr[t] = NONE
		:: else ->
			if
			:: TLS[Arg[t]] == 0 ->
				Ptr[t] = NONE;
				if
				:: Gen[Arg[t]] > 0 -> GEntry[t] = ENTRY_UNREG; rn_e = 0
				:: else -> GEntry[t] = ESRCH; rn_e = ESRCH
				fi;
				ret(t, 0, rn_e, FIXEDV)
			:: else ->
				Ptr[t] = Arg[t]; PtrGen[t] = TLS[Arg[t]];
				LPC[t] = LP_RUN_CASW
			fi
		fi
	:: LPC[t] == LP_RUN_CASW ->
		if
		:: Word[Ptr[t]] != ST_RUNNABLE ->
#ifdef FIXED
			rn_e = EINVAL; GEntry[t] = EINVAL;
			if
			:: Word[Ptr[t]] == ST_NONE -> rn_e = 0; GEntry[t] = ENTRY_UNREG
			:: else -> skip
			fi;
			ret(t, 0, rn_e, 1)
#else
			Status[t] = EXITED	/* finding run-exit-on-state */
#endif
		:: else ->
			Word[Ptr[t]] = ST_RUNNING;
			LPC[t] = LP_RUN_CASS
		fi
	:: LPC[t] == LP_RUN_CASS ->
		if
		:: Word[t] != ST_PROCESSING ->
#ifdef FIXED
			GEntry[t] = EINVAL;
			LPC[t] = LP_RUN_UNDO
#else
			Status[t] = EXITED
#endif
		:: else ->
			Word[t] = ST_SERVING;
			LPC[t] = LP_RUN_SYS
		fi
	:: LPC[t] == LP_RUN_SYS ->
		SysRunWorker(t, Ptr[t]);
		if
		:: sys_slept -> LPC[t] = LP_RUN_DONE
		:: else ->
			sysFailed(t, sys_e);
			if
			:: sys_e == EAGAIN -> skip	/* busy retry */
			:: else ->
#ifdef FIXED
				SysRet[t] = sys_e;
				LPC[t] = LP_RUN_UNDO
#else
				ret(t, 0, sys_e, 1)	/* finding run-error-leaves-serving */
#endif
			fi
		fi
	:: LPC[t] == LP_RUN_UNDO ->
		if
		:: Word[Ptr[t]] == ST_RUNNING -> Word[Ptr[t]] = ST_RUNNABLE
		:: else -> skip
		fi;
		if
		:: Word[t] == ST_SERVING -> Word[t] = ST_PROCESSING
		:: else -> skip
		fi;
		rn_e = SysRet[t];
		if
		:: GEntry[t] != 0 -> rn_e = GEntry[t]
		:: else -> skip
		fi;
		ret(t, 0, rn_e, 1)
	:: LPC[t] == LP_RUN_DONE ->
		rn_e = SysRet[t];
		if
		:: rn_e != 0 -> GKern[t] = rn_e
		:: else -> skip
		fi;
		if
		:: rn_e != 0 && !FIXEDV -> ret(t, 0, rn_e, 1)
		:: else ->
			if
			:: Word[t] != ST_SERVING ->
#ifdef FIXED
				ret(t, 0, EINVAL, 1)
#else
				Status[t] = EXITED
#endif
			:: else ->
				Word[t] = ST_PROCESSING;
				rn_w = Out[t];
				if
				:: rn_w == NONE -> ret(t, 0, 0, FIXEDV)
				:: else -> ret(t, rn_w + 1, 0, 0)
				fi
			fi
		fi
	fi
}

inline stepState(t) {
	if
	:: LPC[t] == 0 ->
		if
		:: Arg[t] == NONE -> Status[t] = KILLED; Ptr[t] = NONE
		:: else ->
			if
			:: TLS[Arg[t]] == 0 -> Ptr[t] = NONE; ret(t, ST_NONE, 0, 0)
			:: else ->
				Ptr[t] = Arg[t]; PtrGen[t] = TLS[Arg[t]];
				LPC[t] = LP_STATE_LOAD
			fi
		fi
	:: else ->
		ret(t, Word[Ptr[t]], 0, 0)
	fi
}

/* ---- clients (model/client.go): one awake step of a thread ---- */

inline serverStep(t) {
	if
	:: Fn[t] == C_NONE ->
		if
		:: PC[t] == SRV_REGISTER -> Fn[t] = C_REG_SERVER; Arg[t] = 0
		:: PC[t] == SRV_POLL -> Fn[t] = C_POLL; Arg[t] = NONE
		:: PC[t] == SRV_RUN -> Fn[t] = C_RUN; Arg[t] = Iter[t] - 1
		:: PC[t] == SRV_STATE -> Fn[t] = C_STATE; Arg[t] = Iter[t] - 1
		fi;
		LPC[t] = 0; Local[t] = 0; GEntry[t] = 0; GKern[t] = 0
	:: else -> skip
	fi;
	if
	:: Fn[t] == C_REG_SERVER -> stepRegister(t, K_SERVER)
	:: Fn[t] == C_POLL -> stepPoll(t)
	:: Fn[t] == C_RUN -> stepRun(t)
	:: Fn[t] == C_STATE -> stepState(t)
	fi
}

inline workerStep(t) {
	if
	:: Fn[t] == C_NONE && PC[t] == WRK_AFTERIO ->
		Iter[t]++;
		PC[t] = WRK_NEXT
	:: else -> skip
	fi;
	if
	:: Fn[t] == C_NONE && PC[t] == WRK_NEXT && Iter[t] < B ->
		Block(t);	/* a blocking syscall */
		PC[t] = WRK_AFTERIO
	:: else ->
		if
		:: Fn[t] == C_NONE ->
			if
			:: PC[t] == WRK_REGISTER -> Fn[t] = C_REG_WORKER; Arg[t] = 0
			:: else -> Fn[t] = C_UNREG; Arg[t] = NONE
			fi;
			LPC[t] = 0; Local[t] = 0; GEntry[t] = 0; GKern[t] = 0
		:: else -> skip
		fi;
		if
		:: Fn[t] == C_REG_WORKER -> stepRegister(t, K_WORKER)
		:: Fn[t] == C_UNREG -> stepUnregister(t)
		fi
	fi
}

/* ---- properties checked after every step (props/checks.go) ---- */
#ifndef NOCHECK
inline checkState() {
	ck_i = 0;
	do
	:: ck_i < NT ->
		/* no-exit, no-kill */
		assert(Status[ck_i] != EXITED && Status[ck_i] != KILLED);
		/* state-domain */
		if
		:: Kind[ck_i] != K_NONE && !Freed[ck_i] && Status[ck_i] == ALIVE ->
			assert(Kind[ck_i] != K_SERVER || (Word[ck_i] >= ST_POLLING && Word[ck_i] <= ST_PROCESSING));
			assert(Kind[ck_i] != K_WORKER || (Word[ck_i] >= ST_RUNNABLE && Word[ck_i] <= ST_UNBLOCKED))
		:: else -> skip
		fi;
		/* worker-has-server */
		ck_p = Peer[ck_i];
		assert(ck_p == NONE || Peer[ck_p] == ck_i);
		if
		:: Kind[ck_i] == K_WORKER && Status[ck_i] == ALIVE && Sleep[ck_i] == AWAKE &&
		   BASE(Word[ck_i]) == ST_RUNNING ->
			assert(ck_p != NONE);
			assert(Kind[ck_p] == K_SERVER && Group[ck_p] == Group[ck_i] && Word[ck_p] == ST_SERVING)
		:: else -> skip
		fi;
		/* no-lost-wakeup */
		if
		:: Kind[ck_i] == K_SERVER && Status[ck_i] == ALIVE && Sleep[ck_i] == S_POLL && Wake[ck_i] == W_NONE ->
			ck_j = 0;
			do
			:: ck_j < NT ->
				assert(!(Kind[ck_j] == K_WORKER && Status[ck_j] == ALIVE &&
					 Group[ck_j] == Group[ck_i] && Word[ck_j] == ST_UNBLOCKED));
				ck_j++
			:: else -> break
			od
		:: else -> skip
		fi;
		ck_i++
	:: else -> break
	od;
	/* queue-fifo: the queued workers are the ghost queue, in order */
	ck_i = 0; ck_j = 0;
	do
	:: ck_i < NWait ->
		if
		:: Kind[Waiters[ck_i]] == K_WORKER ->
			assert(ck_j < NGhost && Ghost[ck_j] == Waiters[ck_i]);
			ck_j++
		:: else -> skip
		fi;
		ck_i++
	:: else -> break
	od;
	assert(ck_j == NGhost)
}
#else
inline checkState() { skip }
#endif

/*
 * The processes. A thread's location is a function of the state: a server
 * is at end_poll exactly when it sleeps in sys_umcg_poll_worker (Sleep ==
 * S_POLL), a worker at end_done exactly when Status == FINISHED. So SPIN's
 * state vector (variables and locations) and model.State determine each
 * other, and SPIN's end states are model.ValidEnd's: a terminal state with
 * a process elsewhere is an invalid end state, umcgcheck's no-deadlock.
 * The options of a location are the Go model's enabled actions of the
 * thread (model.Enabled): the awake step, Resume after a wakeup, and the
 * unblock event of a blocking syscall. Resume is followed by no ghost
 * update, as in model.Step.
 */
active proctype server()
{
awake:
	do
	:: d_step { Status[0] == ALIVE && Sleep[0] == AWAKE && !POLL_SLEEPS(0) ->
		serverStep(0); updateGhost(); checkState();
		assert(Status[0] == ALIVE && Sleep[0] != S_POLL) }
	:: d_step { Status[0] == ALIVE && Sleep[0] == AWAKE && POLL_SLEEPS(0) ->
		serverStep(0); updateGhost(); checkState();
		assert(Sleep[0] == S_POLL) } -> goto end_poll
	:: d_step { Status[0] == ALIVE && Sleep[0] != AWAKE && Wake[0] != W_NONE ->
		Resume(0); checkState();
		assert(Status[0] == ALIVE && Sleep[0] != S_POLL) }
	od;
end_poll:
	do
#ifdef FIXED
	:: d_step { Wake[0] != W_NONE && Out[0] != NONE ->
		Resume(0); checkState(); assert(Sleep[0] == AWAKE) } -> goto awake
	:: d_step { Wake[0] != W_NONE && Out[0] == NONE ->
		Resume(0); checkState(); assert(Sleep[0] == S_POLL) }
#else
	:: d_step { Wake[0] != W_NONE ->
		Resume(0); checkState(); assert(Sleep[0] == AWAKE) } -> goto awake
#endif
	od
}

#define WILL_FINISH(t) (Fn[t] == C_UNREG && LPC[t] == LP_UNREG_CLEAR)

active [N] proctype worker()
{
	do
	:: d_step { Status[_pid] == ALIVE && Sleep[_pid] == AWAKE && !WILL_FINISH(_pid) ->
		workerStep(_pid); updateGhost(); checkState();
		assert(Status[_pid] == ALIVE) }
	:: d_step { Status[_pid] == ALIVE && Sleep[_pid] == AWAKE && WILL_FINISH(_pid) ->
		workerStep(_pid); updateGhost(); checkState();
		assert(Status[_pid] == FINISHED) } -> goto end_done
	:: d_step { Status[_pid] == ALIVE && Sleep[_pid] != AWAKE && Wake[_pid] != W_NONE ->
		Resume(_pid); checkState();
		assert(Status[_pid] == ALIVE) }
	:: d_step { Status[_pid] == ALIVE && Sleep[_pid] == S_IO && Wake[_pid] == W_NONE ->
		Unblock(_pid); updateGhost(); checkState();
		assert(Status[_pid] == ALIVE) }
	od;
end_done:
	false
}
