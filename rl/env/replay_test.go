package env

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

type fixture struct {
	Generator string
	Cases     []struct {
		Env     string
		State   []float64
		Actions []float64
		CSV     string
	}
}

func replayCase(t *testing.T, name string, state, actions []float64) string {
	t.Helper()
	e, err := New(name)
	if err != nil {
		t.Fatal(err)
	}
	acts := make([][]float32, len(actions))
	for i, a := range actions {
		acts[i] = []float32{float32(a)}
	}
	var buf bytes.Buffer
	if err := Replay(&buf, e, state, acts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// ulps returns how many float64 values lie between a and b.
func ulps(a, b float64) uint64 {
	ia, ib := int64(math.Float64bits(a)), int64(math.Float64bits(b))
	if ia < 0 {
		ia = math.MinInt64 - ia
	}
	if ib < 0 {
		ib = math.MinInt64 - ib
	}
	if ia > ib {
		return uint64(ia - ib)
	}
	return uint64(ib - ia)
}

// TestReplayMatchesGymnasium replays the trajectories that
// testdata/gen_fixtures.py recorded from Gymnasium's own code (with sin and
// cos correctly rounded, as here) and requires the same CSV text, except
// that a reward may differ by a few ulps: Gymnasium squares scalars with
// x**2, which calls the C library's pow, and glibc's pow(x, 2) differs from
// the correctly rounded x·x in about 0.08 % of arguments. Pendulum's reward
// is the only printed value computed from such a square that does not feed
// back into the state.
func TestReplayMatchesGymnasium(t *testing.T) {
	b, err := os.ReadFile("testdata/replay.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no cases")
	}
	seen := map[string]bool{}
	for i, c := range f.Cases {
		seen[c.Env] = true
		got := strings.Split(replayCase(t, c.Env, c.State, c.Actions), "\n")
		want := strings.Split(c.CSV, "\n")
		if len(got) != len(want) {
			t.Errorf("case %d (%s): %d lines, want %d", i, c.Env, len(got), len(want))
			continue
		}
		for j := range want {
			if got[j] == want[j] {
				continue
			}
			g, w := strings.Split(got[j], ","), strings.Split(want[j], ",")
			k := len(w) - 3 // the reward column
			same := len(g) == len(w) && strings.Join(g[:k], ",") == strings.Join(w[:k], ",") && strings.Join(g[k+1:], ",") == strings.Join(w[k+1:], ",")
			rg, _ := strconv.ParseFloat(g[min(k, len(g)-1)], 64)
			rw, _ := strconv.ParseFloat(w[k], 64)
			if !same || ulps(rg, rw) > 4 {
				t.Errorf("case %d (%s) line %d:\n got %s\nwant %s", i, c.Env, j, got[j], want[j])
				break
			}
		}
	}
	for _, n := range Names() {
		if !seen[n] {
			t.Errorf("no fixture for %s", n)
		}
	}
}
