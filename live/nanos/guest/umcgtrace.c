/*
 * umcgtrace: runs a UMCG (2023 API, syscall 450 as Nanos numbers it)
 * workload inside a guest and prints the trace of every call it made, as
 * umcg-trace JSON lines (docs/trace-format.md, protocol "umcg-2023"), each
 * prefixed by "UMCGTRACE " so that the reader can pick them out of the
 * console's other output.
 *
 * Usage: umcgtrace WORKLOAD SERVERS WORKERS STEPS SEED
 *   WORKLOAD  as live/'s workloads (live/workload.go), STEPS blocking
 *             system calls per worker: "sleep" (nanosleep for seeded
 *             random durations), "futex" (FUTEX_WAIT on the worker's own
 *             word until a producer thread, outside UMCG, posts to it in a
 *             seeded random order with seeded random pauses), "pipes"
 *             (read one byte from the worker's own pipe, fed the same
 *             way); and for the 2023 API: "yield" (UMCG_WAIT STEPS
 *             times: WAIT events), "mixed" (sleep and yield alternately),
 *             "spin" (STEPS busy loops of about 20 ms without a system
 *             call, then a yield: where preemption may strike),
 *             "wait-for" (as sleep, but a server that reads a worker's
 *             BLOCK then WAITs for that worker, next_tid = its tid, as
 *             Nanos's runtime test does), "wait-for-late" (the same, the
 *             server pausing 1 to 3 ms before it WAITs for the worker,
 *             and the workers sleeping 0.1 to 0.3 ms), "swap" (the worker takes the run queue's head, if any,
 *             and CTX_SWITCHes to it; else it yields: a worker-to-worker
 *             switch, which fails with EINVAL unless the target is
 *             RUNNABLE), "timeouts" (UMCG_WAIT with a timeout of 0.2 to 3 ms, seeded,
 *             recorded as wait_until, while the servers pause up to 3 ms
 *             before each switch: TIMEOUT events, and switches that fail
 *             with EINVAL because the worker timed out), "wakes"
 *             (no UMCG workers: each server WAITs STEPS times, 50 ms
 *             each at most, while WORKERS plain threads, named o1, o2,
 *             ..., each call UMCG_WAKE twice in a row STEPS times, with
 *             seeded random pauses up to 2 ms: the servers' shutdown of
 *             the other workloads, many times), "wake-pairs" (STEPS
 *             rounds: every server WAITs without a timeout; once all
 *             are asleep the WORKERS plain threads o1, o2, ... call
 *             UMCG_WAKE once each, at the same moment; a server that no
 *             WAKE released sleeps on, and the run hangs).
 *
 * Servers share one user-space run queue (as the posting's answer [PO]
 * describes Google's use): a server switches to the queue's head, or
 * waits for events when the queue is empty. Workers register, do their
 * steps and unregister. When every worker has exited, the servers wake
 * each other (UMCG_WAKE until EAGAIN) and stop.
 *
 * Recording: each thread writes its records into its own preallocated
 * buffer, with CLOCK_MONOTONIC before and after each call; nothing is
 * printed until every thread has joined, so that the recording makes no
 * syscall of its own between a worker's calls. A call that sleeps is
 * recorded as a request over the call's whole interval and a followup at
 * its end (the format's rule for a producer that cannot see when the call
 * took effect).
 *
 * This is our own program; it includes nothing of Nanos.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SYS_UMCG 450

enum { REGISTER_WORKER = 1, REGISTER_SERVER, UNREGISTER, WAKE, WAIT, CTX_SWITCH };
static const char *event_names[] = {"?", "BLOCK", "WAKE", "WAIT", "EXIT", "TIMEOUT", "PREEMPT"};
#define EVENT_MASK 31
#define NSLOTS 4              /* events buffer: up to 3 from the idle list, and the 0 end */
#define MAX_TASKS 16
#define MAX_RECORDS 4096
#define RUN_LIMIT_S 20              /* a run longer than this is a hang */
#define SERVER_WAIT_NS 50000000 /* a server's WAIT gives up after 50 ms (see stop()) */

struct rec {
	const char *op;
	int phase;            /* 0 none, 1 request, 2 followup */
	int next;             /* task index of args.next, -1 none */
	int worker;           /* read_event: the worker's task index */
	int event;            /* read_event: the event kind */
	long ret;
	int err;
	int64_t call, ret_t;
};

struct task {
	char name[8];
	pthread_t th;
	atomic_int tid;
	atomic_int nrec; /* records published: the watchdog may read them */
	struct rec recs[MAX_RECORDS];
};

static struct task tasks[MAX_TASKS];
static int nservers, nworkers, steps;
static const char *workload;
static uint64_t seed;

/* The servers' shared run queue of worker task indices, guarded by a spin
 * lock (a futex would be a syscall of its own in the trace's window). */
static atomic_flag qlock = ATOMIC_FLAG_INIT;
static int queue[MAX_TASKS], qhead, qtail; /* each worker at most once */
static char queued[MAX_TASKS];
static atomic_int exited;
static atomic_uint posted[MAX_TASKS]; /* futex: posts to each worker */
static int pipes[MAX_TASKS][2];       /* pipes: each worker's pipe */
static atomic_int registered_tids;

static int64_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long umcg(uint64_t flags, uint64_t cmd, pid_t next, uint64_t abs_timeout, uint64_t *events, int event_sz)
{
	return syscall(SYS_UMCG, flags, cmd, next, abs_timeout, events, event_sz);
}

/* add starts a record at the current time and publishes it; its end
 * (ret_t, with ret and err before it) is set by done. A record whose
 * ret_t is 0 is a call still in progress. */
static struct rec *add(int me, const char *op, int phase, int next)
{
	struct task *t = &tasks[me];
	int n = atomic_load_explicit(&t->nrec, memory_order_relaxed);
	if (n >= MAX_RECORDS) {
		fprintf(stderr, "umcgtrace: %s: more than %d records\n", t->name, MAX_RECORDS);
		exit(2);
	}
	struct rec *r = &t->recs[n];
	memset(r, 0, sizeof *r);
	r->op = op;
	r->phase = phase;
	r->next = next;
	r->worker = -1;
	r->call = now();
	atomic_store_explicit(&t->nrec, n + 1, memory_order_release);
	return r;
}

static void done(struct rec *r, long ret, int err, int64_t end)
{
	r->ret = ret;
	r->err = err;
	__atomic_store_n(&r->ret_t, end, __ATOMIC_RELEASE);
}

/* call records a call that cannot sleep. */
static long call(int me, const char *op, uint64_t cmd)
{
	struct rec *r = add(me, op, 0, -1);
	errno = 0;
	long rc = umcg(0, cmd, 0, 0, NULL, 0);
	int e = rc < 0 ? errno : 0;
	done(r, rc, e, now());
	errno = e;
	return rc;
}

/* sleeping records a call that can sleep: a request over its whole
 * interval and a followup at its end. */
static long sleeping(int me, const char *op, int next, uint64_t flags, uint64_t cmd, pid_t tid, uint64_t abs_timeout, uint64_t *ev, int evsz, int *err)
{
	struct rec *q = add(me, op, 1, next);
	errno = 0;
	long rc = umcg(flags, cmd, tid, abs_timeout, ev, evsz);
	int e = rc < 0 ? errno : 0;
	int64_t end = now();
	done(q, 0, 0, end);
	struct rec *f = add(me, op, 2, -1);
	f->call = end;
	done(f, rc, e, end);
	if (err)
		*err = e;
	return rc;
}

static int worker_index(uint64_t id)
{
	for (int i = nservers; i < nservers + nworkers; i++)
		if ((uint64_t)atomic_load(&tasks[i].tid) << 5 == id)
			return i;
	return -1;
}

/* push queues w unless it is queued already: a worker may be named by
 * two events before a server runs it (its WAIT, then its TIMEOUT), and a
 * queue of duplicates could outgrow the ring. */
static void push(int w)
{
	while (atomic_flag_test_and_set(&qlock))
		;
	if (!queued[w]) {
		queued[w] = 1;
		queue[qtail++ % MAX_TASKS] = w;
	}
	atomic_flag_clear(&qlock);
}

static int pop(void)
{
	int w = -1;
	while (atomic_flag_test_and_set(&qlock))
		;
	if (qhead != qtail) {
		w = queue[qhead++ % MAX_TASKS];
		queued[w] = 0;
	}
	atomic_flag_clear(&qlock);
	return w;
}

/* events records the events a server's call returned, in buffer order,
 * and handles them: a worker that may run again joins the run queue. */
static void events(int me, uint64_t *ev)
{
	int blocked[NSLOTS], nblocked = 0;
	for (int i = 0; i < NSLOTS && ev[i]; i++) {
		int kind = ev[i] & EVENT_MASK;
		int w = worker_index(ev[i] & ~(uint64_t)EVENT_MASK);
		struct rec *r = add(me, "read_event", 0, -1);
		r->worker = w;
		r->event = kind;
		done(r, 0, 0, r->call);
		if (w < 0) {
			fprintf(stderr, "umcgtrace: %s: event 0x%llx names no worker\n", tasks[me].name, (unsigned long long)ev[i]);
			exit(2);
		}
		switch (kind) {
		case 2: case 3: case 5: case 6: /* WAKE, WAIT, TIMEOUT, PREEMPT */
			push(w);
			break;
		case 4:
			atomic_fetch_add(&exited, 1);
			break;
		case 1:
			blocked[nblocked++] = w;
			break;
		}
	}
	/* wait-for: after reading the buffer (its read_event lines belong
	 * to the call that filled it), wait for each worker that blocked
	 * to wake, as Nanos's runtime test's server does. */
	int late = !strcmp(workload, "wait-for-late");
	for (int i = 0; i < nblocked && (late || !strcmp(workload, "wait-for")); i++) {
		if (late) {
			/* Let the worker wake and another server run it
			 * first: docs/umcg-2023.md's D10. */
			struct timespec d = {0, 1000000 + (long)(now() % 2000000)};
			nanosleep(&d, NULL);
		}
		sleeping(me, "wait", blocked[i], 0, WAIT, atomic_load(&tasks[blocked[i]].tid), 0, NULL, 0, NULL);
	}
}

static int64_t realtime_after(int64_t ns)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + ns;
}

static uint64_t rnd(uint64_t *s);

/* wakes_server and waker are the "wakes" workload. */
static void *wakes_server(void *arg)
{
	int me = (int)(intptr_t)arg;
	atomic_store(&tasks[me].tid, gettid());
	if (call(me, "register_server", REGISTER_SERVER) < 0)
		exit(2);
	uint64_t ev[NSLOTS];
	for (int i = 0; i < steps; i++) {
		memset(ev, 0, sizeof ev);
		if (sleeping(me, "wait", -1, 0, WAIT, 0, realtime_after(SERVER_WAIT_NS), ev, NSLOTS, NULL) == 0)
			events(me, ev);
	}
	call(me, "unregister", UNREGISTER);
	return NULL;
}

static void *waker(void *arg)
{
	int me = (int)(intptr_t)arg;
	uint64_t s = seed * 2654435761u + (uint64_t)me + 1;
	for (int i = 0; i < steps; i++) {
		struct timespec d = {0, (long)(rnd(&s) % 2000000)};
		nanosleep(&d, NULL);
		call(me, "wake", WAKE);
		call(me, "wake", WAKE);
	}
	return NULL;
}

/* wake-pairs: in round r each server announces it (pair_in) and WAITs;
 * when all have, the wakers sleep 2 ms (so that the servers sleep), meet
 * at a gate, and call UMCG_WAKE once each at the same moment; a server
 * whose WAIT returned (pair_out) starts round r+1 only after every waker
 * has called (pair_done), so that no WAKE of round r reaches a WAIT of
 * round r+1. A server that no WAKE released sleeps on: the run hangs. */
static atomic_int pair_in[MAX_TASKS], pair_out[MAX_TASKS], pair_done[MAX_TASKS], pair_gate;

/* await sleeps in steps of 100 µs until *v >= r: no thread spins for long,
 * so that a hang cannot be a thread starved of a CPU. */
static void await(atomic_int *v, int r)
{
	struct timespec d = {0, 100000};
	while (atomic_load(v) < r)
		nanosleep(&d, NULL);
}

static void *pairs_server(void *arg)
{
	int me = (int)(intptr_t)arg;
	atomic_store(&tasks[me].tid, gettid());
	if (call(me, "register_server", REGISTER_SERVER) < 0)
		exit(2);
	uint64_t ev[NSLOTS];
	for (int r = 1; r <= steps; r++) {
		memset(ev, 0, sizeof ev);
		atomic_store(&pair_in[me], r);
		if (sleeping(me, "wait", -1, 0, WAIT, 0, 0, ev, NSLOTS, NULL) == 0)
			events(me, ev);
		atomic_store(&pair_out[me], r);
		for (int i = nservers; i < nservers + nworkers; i++)
			await(&pair_done[i], r);
	}
	call(me, "unregister", UNREGISTER);
	return NULL;
}

static void *pairs_waker(void *arg)
{
	int me = (int)(intptr_t)arg;
	for (int r = 1; r <= steps; r++) {
		for (int i = 0; i < nservers; i++)
			await(&pair_in[i], r);
		struct timespec d = {0, 2000000};
		nanosleep(&d, NULL);
		atomic_fetch_add(&pair_gate, 1);
		while (atomic_load(&pair_gate) < r * nworkers)
			;
		call(me, "wake", WAKE);
		atomic_store(&pair_done[me], r);
		for (int i = 0; i < nservers; i++)
			await(&pair_out[i], r);
	}
	return NULL;
}

static void *server(void *arg)
{
	int me = (int)(intptr_t)arg;
	uint64_t s = seed * 97u + (uint64_t)me + 3;
	atomic_store(&tasks[me].tid, gettid());
	if (call(me, "register_server", REGISTER_SERVER) < 0) {
		fprintf(stderr, "umcgtrace: UMCG_REGISTER_SERVER (syscall %d) failed: %s; is this Nanos with its umcg klib?\n", SYS_UMCG, strerror(errno));
		exit(2);
	}
	uint64_t ev[NSLOTS];
	while (atomic_load(&exited) < nworkers) {
		int w = pop();
		memset(ev, 0, sizeof ev);
		int err = 0;
		long rc;
		if (w >= 0) {
			if (!strcmp(workload, "timeouts")) {
				struct timespec d = {0, (long)(rnd(&s) % 3000000)};
				nanosleep(&d, NULL);
			}
			/* EINVAL: w is not RUNNABLE or WAITING (its timeout
			 * fired: its TIMEOUT event will queue it again). */
			rc = sleeping(me, "ctx_switch", w, 0, CTX_SWITCH, atomic_load(&tasks[w].tid), 0, ev, NSLOTS, &err);
		} else {
			rc = sleeping(me, "wait", -1, 0, WAIT, 0, realtime_after(SERVER_WAIT_NS), ev, NSLOTS, &err);
		}
		if (rc == 0)
			events(me, ev);
	}
	/* Every worker has exited: release the servers that still wait. */
	while (call(me, "wake", WAKE) == 0)
		;
	call(me, "unregister", UNREGISTER);
	return NULL;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* blocking records one blocking system call of a worker as a syscall op. */
static long blocking(int me, long nr, long a, long b, long c, long d)
{
	struct rec *q = add(me, "syscall", 1, -1);
	errno = 0;
	long rc = syscall(nr, a, b, c, d);
	int e = rc < 0 ? errno : 0;
	int64_t end = now();
	done(q, 0, 0, end);
	struct rec *f = add(me, "syscall", 2, -1);
	f->call = end;
	done(f, rc, e, end);
	return rc;
}

/* producer feeds the futex and pipes workloads: STEPS rounds, each
 * posting once to every worker in a seeded random order, with seeded
 * random pauses up to 500 µs. It is not a UMCG thread. */
static void *producer(void *arg)
{
	(void)arg;
	uint64_t s = seed * 40503u + 7;
	int order[MAX_TASKS];
	for (int r = 0; r < steps; r++) {
		for (int i = 0; i < nworkers; i++)
			order[i] = nservers + i;
		for (int i = nworkers - 1; i > 0; i--) {
			int j = rnd(&s) % (i + 1), x = order[i];
			order[i] = order[j];
			order[j] = x;
		}
		for (int i = 0; i < nworkers; i++) {
			struct timespec d = {0, (long)(rnd(&s) % 500000)};
			nanosleep(&d, NULL);
			int w = order[i];
			if (!strcmp(workload, "futex")) {
				atomic_fetch_add(&posted[w], 1);
				syscall(SYS_futex, (long)&posted[w], FUTEX_WAKE_PRIVATE, 1, 0);
			} else if (write(pipes[w][1], "x", 1) != 1) {
				fprintf(stderr, "umcgtrace: producer: write failed\n");
				exit(2);
			}
		}
	}
	return NULL;
}

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	uint64_t s = seed * 2654435761u + (uint64_t)me + 1;
	pid_t tid = gettid();
	atomic_store(&tasks[me].tid, tid);
	atomic_fetch_add(&registered_tids, 1);
	sleeping(me, "register_worker", -1, 0, REGISTER_WORKER, 0, (uint64_t)tid << 5, NULL, 0, NULL);
	for (int i = 0; i < steps; i++) {
		int yield = !strcmp(workload, "yield") || (!strcmp(workload, "mixed") && i % 2 == 1);
		if (!strcmp(workload, "spin")) {
			for (volatile long k = 0; k < 20000000L; k++)
				;
			yield = 1;
		}
		if (!strcmp(workload, "swap")) {
			int n = pop();
			if (n >= 0) {
				/* Refused (EINVAL) when n is not RUNNABLE: Nanos
				 * lets a worker switch only to a RUNNABLE worker,
				 * not to a WAITING one (a server may): n goes back
				 * to the queue, for a server. */
				if (sleeping(me, "ctx_switch", n, 0, CTX_SWITCH, atomic_load(&tasks[n].tid), 0, NULL, 0, NULL) < 0)
					push(n);
				continue;
			}
			yield = 1;
		}
		if (!strcmp(workload, "timeouts")) {
			int64_t d = 200000 + (int64_t)(rnd(&s) % 2800000);
			sleeping(me, "wait_until", -1, 0, WAIT, 0, realtime_after(d), NULL, 0, NULL);
			continue;
		}
		if (yield) {
			sleeping(me, "wait", -1, 0, WAIT, 0, 0, NULL, 0, NULL);
			continue;
		}
		if (!strcmp(workload, "futex")) {
			/* Wait until the producer's (i+1)-th post; each FUTEX_WAIT
			 * is one syscall op (one that finds the word changed
			 * returns at once, without sleeping). */
			while (atomic_load(&posted[me]) <= (unsigned)i)
				blocking(me, SYS_futex, (long)&posted[me], FUTEX_WAIT_PRIVATE, i, 0);
		} else if (!strcmp(workload, "pipes")) {
			char c;
			blocking(me, SYS_read, pipes[me][0], (long)&c, 1, 0);
		} else {
			long span = strcmp(workload, "wait-for-late") ? 1900000 : 200000;
			struct timespec d = {0, 100000 + (long)(rnd(&s) % span)};
			blocking(me, SYS_nanosleep, (long)&d, 0, 0, 0);
		}
	}
	call(me, "unregister", UNREGISTER);
	return NULL;
}

/* print_rec prints a record ended at end (its own ret_t, or the dump's
 * time for a request still sleeping). */
static void print_rec(struct task *t, struct rec *r, int64_t end)
{
	printf("UMCGTRACE {\"thread\":\"%s\",\"op\":\"%s\"", t->name, r->op);
	if (r->phase == 1)
		printf(",\"phase\":\"request\"");
	if (r->phase == 2)
		printf(",\"phase\":\"followup\"");
	if (r->phase != 2) {
		if (r->next >= 0)
			printf(",\"args\":{\"next\":\"%s\"}", tasks[r->next].name);
		else if (!strcmp(r->op, "wait") || !strcmp(r->op, "wait_until") || !strcmp(r->op, "ctx_switch"))
			printf(",\"args\":{\"next\":null}");
		else if (r->worker >= 0)
			printf(",\"args\":{\"worker\":\"%s\"}", tasks[r->worker].name);
		else
			printf(",\"args\":{}");
	}
	if (r->phase == 1)
		printf(",\"ret\":null,\"errno\":0");
	else if (r->worker >= 0)
		printf(",\"ret\":\"%s\",\"errno\":0", r->event >= 1 && r->event <= 6 ? event_names[r->event] : "?");
	else
		printf(",\"ret\":%ld,\"errno\":%d", r->ret, r->err);
	printf(",\"call\":%lld,\"return\":%lld}\n", (long long)r->call, (long long)end);
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: umcgtrace sleep|futex|pipes|yield|mixed|spin|wait-for|wait-for-late|swap|timeouts|wakes|wake-pairs SERVERS WORKERS STEPS SEED\n");
		return 2;
	}
	workload = argv[1];
	nservers = atoi(argv[2]);
	nworkers = atoi(argv[3]);
	steps = atoi(argv[4]);
	seed = strtoull(argv[5], NULL, 10);
	static const char *const workloads[] = {"sleep", "futex", "pipes", "yield", "mixed", "spin", "wait-for", "wait-for-late", "swap", "timeouts", "wakes", "wake-pairs"};
	int known = 0;
	for (unsigned i = 0; i < sizeof workloads / sizeof *workloads; i++)
		known |= !strcmp(workload, workloads[i]);
	if (!known ||
	    nservers < 1 || nworkers < 1 || nservers + nworkers > MAX_TASKS || steps < 0 || steps > 1000) {
		fprintf(stderr, "umcgtrace: bad arguments\n");
		return 2;
	}
	int n = nservers + nworkers;
	for (int i = 0; i < n; i++)
		snprintf(tasks[i].name, sizeof tasks[i].name, i < nservers ? "s%d" : strncmp(workload, "wake", 4) ? "w%d" : "o%d",
			 i < nservers ? i + 1 : i - nservers + 1);
	for (int i = nservers; i < n && !strcmp(workload, "pipes"); i++)
		if (pipe(pipes[i])) {
			fprintf(stderr, "umcgtrace: pipe failed\n");
			return 2;
		}
	/* Servers first, so that the workers' WAKE events find one. */
	for (int i = 0; i < n; i++) {
		void *(*fn)(void *) = i < nservers ? server : worker;
		if (!strcmp(workload, "wakes"))
			fn = i < nservers ? wakes_server : waker;
		if (!strcmp(workload, "wake-pairs"))
			fn = i < nservers ? pairs_server : pairs_waker;
		if (pthread_create(&tasks[i].th, NULL, fn, (void *)(intptr_t)i)) {
			fprintf(stderr, "umcgtrace: pthread_create failed\n");
			return 2;
		}
	}
	pthread_t prod;
	int feed = !strcmp(workload, "futex") || !strcmp(workload, "pipes");
	if (feed && pthread_create(&prod, NULL, producer, NULL)) {
		fprintf(stderr, "umcgtrace: pthread_create failed\n");
		return 2;
	}
	/* A run that does not end in RUN_LIMIT_S seconds is a hang: print
	 * what was recorded, each thread up to its call in progress (a
	 * sleeping request ends at the dump; a whole call in progress is
	 * left out), after a HUNG line naming the threads still running. */
	struct timespec limit;
	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += RUN_LIMIT_S;
	int hung = 0;
	for (int i = 0; i < n; i++)
		if (pthread_timedjoin_np(tasks[i].th, NULL, &limit)) {
			if (!hung)
				printf("UMCGTRACE HUNG after %d s, still running:", RUN_LIMIT_S);
			printf(" %s", tasks[i].name);
			hung = 1;
		}
	if (hung)
		printf("\n");
	if (feed && !hung)
		pthread_join(prod, NULL);
	printf("UMCGTRACE {\"format\":\"umcg-trace\",\"version\":1,\"protocol\":\"umcg-2023\",\"source\":\"nanos %s %d %d %d %llu\",\"clock\":\"ns\",\"tasks\":[",
	       workload, nservers, nworkers, steps, (unsigned long long)seed);
	for (int i = 0; i < n; i++)
		printf("%s\"%s\"", i ? "," : "", tasks[i].name);
	printf("],\"groups\":[]}\n");
	int64_t dump = now();
	for (int i = 0; i < n; i++) {
		int nrec = atomic_load_explicit(&tasks[i].nrec, memory_order_acquire);
		for (int k = 0; k < nrec; k++) {
			struct rec *r = &tasks[i].recs[k];
			int64_t end = __atomic_load_n(&r->ret_t, __ATOMIC_ACQUIRE);
			if (end == 0 && r->phase != 1)
				break;
			print_rec(&tasks[i], r, end ? end : dump);
			if (end == 0)
				break;
		}
	}
	printf("UMCGTRACE END\n");
	fflush(stdout);
	/* A hung run exits with its threads still sleeping. */
	_exit(hung ? 3 : 0);
}
