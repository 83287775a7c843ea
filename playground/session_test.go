package playground

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigfunc/bigfunc/tensor"
)

func TestChangedSettingsAreReported(t *testing.T) {
	c := newClient(t, Options{})
	rep := c.create("data=csv&lr=50&layers=4:tanh,2:tanh")
	want := []string{"lr=50 is out of range (1e-06 to 10): using 0.03", "data=csv: a link does not carry the uploaded file: using circle"}
	for _, w := range want {
		if !strings.Contains(strings.Join(rep.Notes, "\n"), w) {
			t.Errorf("create notes %q lack %q", rep.Notes, w)
		}
	}
	if rep.Config.LR != 0.03 || rep.Config.Data != "circle" {
		t.Errorf("create: %+v", rep.Config)
	}
	// The API reports out-of-range values too, and keeps what was valid.
	rep = c.configure(strings.Replace(strings.Replace(rep.Query, "batch=10", "batch=0", 1), "noise=0", "noise=20", 1))
	if len(rep.Notes) != 1 || !strings.HasPrefix(rep.Notes[0], "batch=0 is out of range (1 to 1000)") || rep.Config.Noise != 20 {
		t.Errorf("configure: notes %q, noise %d", rep.Notes, rep.Config.Noise)
	}
	if rep = c.configure(rep.Query); len(rep.Notes) != 0 {
		t.Errorf("the server's own query got notes %q", rep.Notes)
	}
}

// upload0To1000 is a CSV whose inputs lie in 0 to 1000, labelled by which
// of x1 and x2 is larger: easy once scaled, hopeless for tanh units fed
// raw values.
func upload0To1000(n int, big float64) string {
	var b strings.Builder
	b.WriteString("x1,x2,label\n")
	rng := tensor.NewRNG(11)
	for range n {
		x1, x2 := rng.Uniform(0, 1000), rng.Uniform(0, 1000)
		label := "a"
		if x1 > x2 {
			label = "b"
		}
		fmt.Fprintf(&b, "%g,%g,%s\n", x1*big, x2, label)
	}
	return b.String()
}

func TestUploadIsStandardized(t *testing.T) {
	c := newClient(t, Options{})
	c.create("")
	var rep configReply
	c.must("POST", c.path("upload"), "text/csv", strings.NewReader(upload0To1000(200, 1)), &rep)
	if !rep.Config.Standardize || !strings.Contains(rep.Notice, "standardized") {
		t.Errorf("upload: standardize %v, notice %q", rep.Config.Standardize, rep.Notice)
	}
	f := c.frame(0, 0, 0)
	// The page gets the scaling to show, and the points in the units the
	// network sees: mean 0, standard deviation 1.
	var withSet struct {
		Data struct{ Set struct{ Scaling []colScale } }
	}
	c.must("GET", c.path("frame")+"?v=0&cv=0&dv=0", "", nil, &withSet)
	set := withSet.Data.Set
	if len(set.Scaling) != 2 || set.Scaling[0].Name != "x1" || math.Abs(set.Scaling[0].Mean-500) > 60 || math.Abs(set.Scaling[0].Std-289) > 40 {
		t.Errorf("scaling %+v, want x1 and x2 with mean about 500 and std about 289", set.Scaling)
	}
	pts := append(append([]float64(nil), f.Data.Train...), f.Data.Test...)
	sum, ss := 0.0, 0.0
	for i := 0; i < len(pts); i += 3 {
		sum += pts[i]
		ss += pts[i] * pts[i]
	}
	n := float64(len(pts) / 3)
	if mean, sd := sum/n, math.Sqrt(ss/n-sum*sum/n/n); math.Abs(mean) > 0.01 || math.Abs(sd-1) > 0.01 {
		t.Errorf("standardized x1 has mean %.3g and sd %.3g", mean, sd)
	}
	for range 40 {
		c.command("step")
	}
	if acc := *c.frame(0, 0, 0).Loss.TestAcc; acc < 0.9 {
		t.Errorf("standardized 0–1000 data: test accuracy %.2f after 40 epochs", acc)
	}
	spec := string(fetch(t, c.ts.URL+c.path("spec.yaml")))
	if !strings.Contains(spec, "standardized") || !strings.Contains(spec, "x1 = (raw − 4") {
		t.Errorf("the exported spec does not say how the columns were scaled:\n%s", spec)
	}

	// Switched off, the raw values come back, and the page says so.
	rep = c.configure(rep.Query + "&standardize=false")
	f = c.frame(0, 0, 0)
	if rep.Config.Standardize || f.Epoch != 0 || !strings.Contains(rep.Query, "standardize=false") {
		t.Errorf("standardize=false: %+v epoch %d", rep.Config, f.Epoch)
	}
	if x := f.Data.Train[0]; x < 0 || x > 1000 || x == math.Trunc(x) && x == 0 {
		t.Errorf("raw x1 %g, want a value in 0 to 1000", x)
	}

	// Values near float32's limit overflow unless standardized: the page
	// says so, and training does not start.
	c.must("POST", c.path("upload"), "text/csv", strings.NewReader(upload0To1000(50, 1e35)), &rep)
	rep = c.configure(rep.Query + "&standardize=false&features=x1,x2,x1sq")
	c.command("step")
	f = c.frame(0, 0, 0)
	if !f.Diverged || !strings.Contains(f.Message, "Standardize") || f.Epoch != 0 || f.Loss.Train == nil {
		t.Fatalf("huge raw inputs: diverged %v, epoch %d, loss %v, message %q", f.Diverged, f.Epoch, f.Loss.Train, f.Message)
	}
	c.command("play")
	c.command("step")
	if f = c.frame(0, 0, 0); f.Playing || f.Epoch != 0 {
		t.Errorf("huge raw inputs trained on: playing %v, epoch %d", f.Playing, f.Epoch)
	}
	rep = c.configure(strings.Replace(rep.Query, "standardize=false", "standardize=true", 1))
	c.command("step")
	if f = c.frame(0, 0, 0); f.Diverged || f.Epoch != 1 || f.Loss.Train == nil {
		t.Errorf("standardized huge inputs: diverged %v, epoch %d, message %q", f.Diverged, f.Epoch, f.Message)
	}
}

func TestDivergenceKeepsLastGoodReadouts(t *testing.T) {
	// One batch per epoch at a rate of 10: the weights overflow within a
	// few epochs, at an epoch's end or in the middle of the next.
	c := newClient(t, Options{})
	c.create("data=plane&layers=16:relu,16:relu&lr=10&batch=1000&speed=0")
	var f wireFrame
	for range 10 {
		c.command("step")
		if f = c.frame(0, 0, 0); f.Diverged {
			break
		}
	}
	if !f.Diverged || f.Playing || !strings.Contains(f.Message, "learning rate") {
		t.Fatalf("no divergence reported: diverged %v, message %q", f.Diverged, f.Message)
	}
	if f.Loss.Train == nil || f.Loss.Test == nil {
		t.Errorf("the readouts show no loss after divergence: %v %v", f.Loss.Train, f.Loss.Test)
	}
	for i, v := range f.History.Train {
		if v == nil {
			t.Errorf("history point %d (epoch %d) is not finite", i, f.History.Epochs[i])
		}
	}
	if n := len(f.History.Epochs); n == 0 || f.History.Epochs[n-1] != f.Epoch || !strings.Contains(f.Message, fmt.Sprintf("show epoch %d,", f.Epoch)) {
		t.Errorf("epoch %d, history %v, message %q: the counter should show the last good epoch", f.Epoch, f.History.Epochs, f.Message)
	}
	// Stepping or playing does not go on from diverged weights.
	e := f.Epoch
	c.command("step")
	c.command("play")
	if g := c.frame(0, 0, 0); g.Epoch != e || g.Playing || !g.Diverged {
		t.Errorf("after divergence: epoch %d (was %d), playing %v", g.Epoch, e, g.Playing)
	}
	// Reset starts afresh.
	c.command("reset")
	if g := c.frame(0, 0, 0); g.Diverged || g.Message != "" || g.Epoch != 0 {
		t.Errorf("reset left diverged %v, message %q", g.Diverged, g.Message)
	}
}

func TestDiscretizedOutputUsesFinerGrid(t *testing.T) {
	c := newClient(t, Options{})
	for _, tc := range []struct {
		query string
		grid  int
	}{
		{"data=circle", outputGrid},
		{"data=circle&discretize=true", fineGrid},
		{"data=plane&discretize=true", outputGrid}, // regression is not discretized
	} {
		c.create(tc.query)
		var f struct {
			Output  string
			OutGrid int
		}
		c.must("GET", c.path("frame"), "", nil, &f)
		b, err := base64.StdEncoding.DecodeString(f.Output)
		if err != nil || f.OutGrid != tc.grid || len(b) != tc.grid*tc.grid {
			t.Errorf("%s: grid %d with %d bytes (%v), want %d", tc.query, f.OutGrid, len(b), err, tc.grid)
		}
	}
	if fineGrid < 2*outputGrid {
		t.Errorf("the discretized grid %d is not much finer than %d", fineGrid, outputGrid)
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRequestsAreLogged(t *testing.T) {
	var buf syncBuffer
	c := newClient(t, Options{Log: log.New(&buf, "", 0), IdleTimeout: 50 * time.Millisecond})
	rep := c.create("lr=50")
	c.frame(0, 0, 0)
	c.command("heartbeat")
	c.command("step")
	c.do("POST", c.path("upload"), "text/csv", strings.NewReader("a,b\n1,2\n"), nil, nil)
	c.do("GET", "/api/sessions/0123456789abcdef/frame", "", nil, nil, nil)
	short := rep.ID[:8]
	out := buf.String()
	for _, want := range []string{
		"session " + short + " started: ",
		"POST /api/sessions 200",
		"POST /api/sessions/" + short + "/step 200",
		"POST /api/sessions/" + short + "/upload 400",
		"the CSV needs input columns x1 and x2",
		"GET /api/sessions/01234567/frame 404",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, rep.ID) {
		t.Errorf("the log holds a whole session id:\n%s", out)
	}
	// Frames and heartbeats come many times a second: only failures of
	// theirs are logged.
	if strings.Contains(out, "/frame 200") || strings.Contains(out, "/heartbeat 200") {
		t.Errorf("polling logged:\n%s", out)
	}
	time.Sleep(100 * time.Millisecond)
	c.srv.expire()
	if !strings.Contains(buf.String(), "session "+short+" ended: no word from its page") {
		t.Errorf("expiry not logged:\n%s", buf.String())
	}
	// Without a logger nothing is written (the --quiet flag).
	quiet := newClient(t, Options{})
	quiet.create("")
	quiet.do("GET", "/api/sessions/nope/frame", "", nil, nil, nil)
}

func TestSlowBodyTimesOut(t *testing.T) {
	srv := NewServer(Options{ReadTimeout: 300 * time.Millisecond})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	defer func() {
		stop()
		<-served
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers promise 100 bytes; only 10 come.
	fmt.Fprintf(conn, "POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ndata=gauss")
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	waited := time.Since(start)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("a body cut short was accepted")
		}
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server still waits for the body after %v", waited)
	}
	if waited > 3*time.Second {
		t.Errorf("the connection was held for %v with a read timeout of 300ms", waited)
	}
	if srv.Sessions() != 0 {
		t.Error("a session was made from half a body")
	}
}
