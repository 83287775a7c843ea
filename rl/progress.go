package rl

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/bigfunc/bigfunc/rl/env"
)

// Point is one finished episode: the environment steps taken so far (all
// copies together) and the episode's return.
type Point struct {
	Step   int
	Return float64
}

// Progress records the learning curve and reports it: at most every
// Every, a line with the steps, the mean return of the last 20 episodes
// and the steps per second. It also notes when the mean of the last 20
// episodes first reaches the environment's reward threshold (Solved).
type Progress struct {
	W     io.Writer // nil: silent
	Every time.Duration
	Curve []Point
	start time.Time
	last  time.Time
	Total int // the planned steps, for the report
	Step  int
	Agent string
	Env   string
	// Threshold is the mean return of 20 episodes that counts as solving
	// the environment (Gymnasium's reward_threshold); NaN for none.
	Threshold float64
	// Solved is when the mean of the last 20 episodes first reached
	// Threshold; nil until then.
	Solved *Solved
	closed bool
	cpu0   time.Duration
}

// Solved records the moment a run first reached its threshold: the
// environment steps, the wall-clock time and the process's CPU time
// (user + system, all threads; 0 where the system does not say) since
// the run started.
type Solved struct {
	Step int
	Wall time.Duration
	CPU  time.Duration
}

// Thresholds are Gymnasium's reward thresholds of the environments that
// have one.
var Thresholds = map[string]float64{"CartPole-v1": 475, "Acrobot-v1": -100, "MountainCar-v0": -110}

// NewProgress starts the clock.
func NewProgress(w io.Writer, agent, envName string, total int) *Progress {
	now := time.Now()
	th, ok := Thresholds[envName]
	if !ok {
		th = math.NaN()
	}
	cpu, _ := processCPU()
	return &Progress{W: w, Every: 2 * time.Second, start: now, last: now, Total: total, Agent: agent, Env: envName, Threshold: th, cpu0: cpu}
}

// Episodes records finished episodes at step and reports if it is time.
func (p *Progress) Episodes(step int, eps []env.Episode) {
	p.Step = step
	for _, e := range eps {
		p.Curve = append(p.Curve, Point{step, e.Return})
	}
	if p.Solved == nil && len(eps) > 0 && len(p.Curve) >= 20 && p.RecentReturn() >= p.Threshold {
		cpu, _ := processCPU()
		p.Solved = &Solved{Step: step, Wall: time.Since(p.start), CPU: cpu - p.cpu0}
	}
	if p.W != nil && time.Since(p.last) >= p.Every {
		p.report()
	}
}

// RecentReturn is the mean return of the last 20 episodes (NaN if none).
func (p *Progress) RecentReturn() float64 {
	n := min(20, len(p.Curve))
	if n == 0 {
		return math.NaN()
	}
	var s float64
	for _, c := range p.Curve[len(p.Curve)-n:] {
		s += c.Return
	}
	return s / float64(n)
}

// Elapsed is the time since the start.
func (p *Progress) Elapsed() time.Duration { return time.Since(p.start) }

// Stop reports whether a run told to stop when solved (Train's
// StopWhenSolved) should stop now.
func (p *Progress) Stop(t Train) bool { return t.StopWhenSolved && p.Solved != nil }

// CPU is the process's CPU time since the start (0 where the system does
// not say).
func (p *Progress) CPU() time.Duration {
	cpu, _ := processCPU()
	return cpu - p.cpu0
}

// StepsPerSecond is the overall training speed.
func (p *Progress) StepsPerSecond() float64 { return float64(p.Step) / p.Elapsed().Seconds() }

func (p *Progress) report() {
	p.last = time.Now()
	fmt.Fprintf(p.W, "%s %s: step %d/%d  episodes %d  return %.1f (last 20)  %.0f steps/s\n",
		p.Agent, p.Env, p.Step, p.Total, len(p.Curve), p.RecentReturn(), p.StepsPerSecond())
}

// Done prints the final report.
func (p *Progress) Done() {
	if p.W != nil && !p.closed {
		p.report()
	}
	p.closed = true
}
