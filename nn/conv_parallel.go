package nn

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// This file shares the memory-bound loops of a convolution (unfolding
// columns, folding them back, scattering results) among goroutines. Each
// item writes memory no other item touches, so the result does not depend
// on how many goroutines share the work.

// ranger is a loop body: run(i) does item i.
type ranger interface{ run(i int) }

// forJob is one loop in flight; a kernel keeps one and reuses it, so that
// running a loop in parallel allocates nothing.
type forJob struct {
	r     ranger
	n     int
	next  atomic.Int64
	state atomic.Uint64 // sequence number (high 32 bits) and helpers working (low 32)
}

// forRequest offers a helper the job j while its sequence number is seq:
// a request that waited in the queue until j moved on is refused.
type forRequest struct {
	j   *forJob
	seq uint32
}

const forActive = 1<<32 - 1

var forPool struct {
	mu       sync.Mutex
	started  int
	requests chan forRequest
}

// minParallelFloats is the least memory traffic, in floats, worth handing
// to other goroutines: below it, waking them costs more than it saves.
const minParallelFloats = 1 << 15

// parallelFor runs r.run(i) for every i < n, on the calling goroutine and
// up to GOMAXPROCS−1 helpers when the loop moves at least
// minParallelFloats floats in all (work), and returns when all are done.
// Helpers busy elsewhere are not waited for: the caller then does the
// items itself.
func (j *forJob) parallelFor(r ranger, n, work int) {
	procs := runtime.GOMAXPROCS(0)
	if procs < 2 || n < 2 || work < minParallelFloats {
		for i := 0; i < n; i++ {
			r.run(i)
		}
		return
	}
	helpers := min(procs, n) - 1
	startForHelpers(helpers)
	j.r, j.n = r, n
	j.next.Store(0)
	seq := uint32(j.state.Load() >> 32)
	for range helpers {
		select {
		case forPool.requests <- forRequest{j, seq}:
		default:
		}
	}
	j.work()
	// Close the job, then wait for the helpers that joined.
	j.state.Add(1 << 32)
	for j.state.Load()&forActive != 0 {
		runtime.Gosched()
	}
	j.r = nil
}

// work runs items until none is left.
func (j *forJob) work() {
	for {
		i := int(j.next.Add(1) - 1)
		if i >= j.n {
			return
		}
		j.r.run(i)
	}
}

// join registers a helper with req's job unless it has been closed.
func (req forRequest) join() bool {
	for {
		st := req.j.state.Load()
		if uint32(st>>32) != req.seq {
			return false
		}
		if req.j.state.CompareAndSwap(st, st+1) {
			return true
		}
	}
}

// startForHelpers makes sure at least n helper goroutines exist.
func startForHelpers(n int) {
	forPool.mu.Lock()
	defer forPool.mu.Unlock()
	if forPool.requests == nil {
		forPool.requests = make(chan forRequest, 64)
	}
	for ; forPool.started < n; forPool.started++ {
		go func() {
			for req := range forPool.requests {
				if req.join() {
					req.j.work()
					req.j.state.Add(^uint64(0)) // one helper fewer
				}
			}
		}()
	}
}
