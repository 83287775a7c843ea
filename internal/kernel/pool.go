package kernel

import (
	"runtime"
	"sync"
	"time"
)

// The worker pool: goroutines started on first use and kept for the life of
// the process, each waiting for requests to help with a job. A job is
// offered to at most workers-1 helpers while the calling goroutine works on
// it too, and every part of a job goes to whoever claims it first. So a
// call never waits for a busy helper to free up: when its own work runs
// out it closes the job, a helper that reaches the request later drops it,
// and the caller waits only for helpers that did join to finish the parts
// they claimed.
var pool struct {
	mu       sync.Mutex
	started  int
	requests chan helpRequest
}

// helpRequest offers a helper the job j while its sequence number is seq.
// The number tells a stale request, queued before j was closed and reused,
// from a live one.
type helpRequest struct {
	j   *gemmJob
	seq uint32
}

// A job's state packs its sequence number (high 32 bits) with the number of
// helpers working on it (low 32 bits), so that joining can be refused
// atomically once the job has moved on.
const activeMask = 1<<32 - 1

// runParallel runs j on the calling goroutine and up to workers-1 helpers,
// and returns when all of j is done and no helper holds it.
func runParallel(j *gemmJob, workers int) {
	startHelpers(workers - 1)
	seq := uint32(j.state.Load() >> 32)
	for range workers - 1 {
		select {
		case pool.requests <- helpRequest{j, seq}:
		default:
			// The queue is full: the helpers are busy with other calls.
		}
	}
	j.work(0)
	// Close the job: requests still queued become stale. Then wait for the
	// helpers that joined, which are finishing parts they claimed.
	j.state.Add(1 << 32)
	for j.state.Load()&activeMask != 0 {
		runtime.Gosched()
	}
}

// join registers a helper with the job of req and returns its worker
// index, or reports false if that job has been closed since req was made.
func (req helpRequest) join() (worker int, ok bool) {
	for {
		st := req.j.state.Load()
		if uint32(st>>32) != req.seq {
			return 0, false
		}
		if req.j.state.CompareAndSwap(st, st+1) {
			// The caller is worker 0; helpers count up as they join.
			return int(st&activeMask) + 1, true
		}
	}
}

// startHelpers makes sure at least n helper goroutines exist.
func startHelpers(n int) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	if pool.requests == nil {
		pool.requests = make(chan helpRequest, 64)
	}
	for ; pool.started < n; pool.started++ {
		go helper()
	}
}

// helperSpin is how long a helper keeps polling for the next request before
// it blocks. Training issues products back to back; waking a parked thread
// takes tens of microseconds (more in a virtual machine), as long as a
// whole 256×256 product, so a short busy wait pays for itself.
const helperSpin = 100 * time.Microsecond

// helper is the body of a pool goroutine.
func helper() {
	for {
		req := nextRequest()
		worker, ok := req.join()
		if !ok {
			continue
		}
		req.j.work(worker)
		req.j.state.Add(^uint64(0)) // leave: one fewer active helper
	}
}

// nextRequest waits for a request: polling for up to helperSpin, then
// blocking.
func nextRequest() helpRequest {
	start := time.Now()
	for i := 0; ; i++ {
		select {
		case req := <-pool.requests:
			return req
		default:
		}
		if i%64 == 63 {
			if time.Since(start) > helperSpin {
				return <-pool.requests
			}
			// Let other goroutines of this process have the thread.
			runtime.Gosched()
		}
	}
}

// runUpdate runs u in parts parts, on the calling goroutine and parts-1
// helpers, part p going to worker p when it is there to take it: a
// product cut the same way gives that worker the same rows of a weight,
// so the update finds them in its cache.
func runUpdate(u update, parts int) {
	j := jobPool.Get().(*gemmJob)
	// The update lives in the pooled job, so that sharing it allocates
	// nothing.
	j.updv = u
	j.upd = &j.updv
	j.resetClaims(parts, parts)
	runParallel(j, parts)
	j.upd, j.updv = nil, update{}
	jobPool.Put(j)
}
