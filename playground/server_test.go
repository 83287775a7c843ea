package playground

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// client talks to a test server as the page does.
type client struct {
	t   *testing.T
	srv *Server
	ts  *httptest.Server
	id  string
}

func newClient(t *testing.T, opts Options) *client {
	t.Helper()
	srv := NewServer(opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return &client{t: t, srv: srv, ts: ts}
}

// do sends a request and decodes a JSON answer into out (when not nil). It
// returns the status and the error message of a failed request.
func (c *client) do(method, path, ctype string, body io.Reader, hdr map[string]string, out any) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.ts.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		_ = json.Unmarshal(b, &e)
		return resp.StatusCode, e.Error
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v in %.200s", method, path, err, b)
		}
	}
	return resp.StatusCode, ""
}

// must is do for requests that have to succeed.
func (c *client) must(method, path, ctype string, body io.Reader, out any) {
	c.t.Helper()
	if code, msg := c.do(method, path, ctype, body, nil, out); code != http.StatusOK {
		c.t.Fatalf("%s %s: status %d: %s", method, path, code, msg)
	}
}

func (c *client) create(query string) configReply {
	c.t.Helper()
	var rep configReply
	c.must("POST", "/api/sessions", "application/x-www-form-urlencoded", strings.NewReader(query), &rep)
	c.id = rep.ID
	return rep
}

func (c *client) path(p string) string { return "/api/sessions/" + c.id + "/" + p }

func (c *client) command(action string) configReply {
	c.t.Helper()
	var rep configReply
	c.must("POST", c.path(action), "", nil, &rep)
	return rep
}

func (c *client) configure(query string) configReply {
	c.t.Helper()
	var rep configReply
	c.must("POST", c.path("config"), "application/x-www-form-urlencoded", strings.NewReader(query), &rep)
	return rep
}

// wireFrame is a frame as the page receives it.
type wireFrame struct {
	V, CV, DV uint64
	Epoch     int
	Playing   bool
	Message   string
	Diverged  bool
	Loss      struct{ Train, Test, TrainAcc, TestAcc *float64 }
	History   struct {
		Epochs      []int
		Train, Test []*float64
	}
	Layers []struct {
		In, Out, Pieces int
		Activation      string
		W, B            []*float64
	}
	Output string
	Nodes  [][]string
	Grid   int
	Curve  *struct {
		From, To   float64
		Fit, Truth []*float64
		Kinks      []struct {
			X           float64
			Layer, Unit int
		}
	}
	Params int
	Config *Config
	Query  string
	Data   *struct {
		Set        struct{ Name string }
		Train      []float64
		Test       []float64
		InputMaps  []string
		Grid       int
		Classes    []string
		Regression bool
	}
}

func (c *client) frame(v, cv, dv uint64) wireFrame {
	c.t.Helper()
	var f wireFrame
	c.must("GET", c.path("frame")+"?v="+u64(v)+"&cv="+u64(cv)+"&dv="+u64(dv), "", nil, &f)
	return f
}

func u64(v uint64) string { return strconv.FormatUint(v, 10) }

func TestParseConfigFallsBackToDefaults(t *testing.T) {
	def := DefaultConfig()
	q, _ := url.ParseQuery("data=nonsense&noise=-4&ratio=200&points=abc&seed=-1&features=foo,bar&layers=9999:relu" +
		"&optimizer=nope&lr=NaN&batch=0&reg=l3&regrate=1e9&preset=unknown&edits=garbage&slice=inf&showtest=maybe&speed=-2&zzz=1")
	got, notes := ParseConfig(q)
	if got.Encode() != def.Encode() {
		t.Errorf("nonsense query gave\n%s\nwant the defaults\n%s", got.Encode(), def.Encode())
	}
	// Every value replaced is reported, with the value asked for and the
	// one used; the unknown key is ignored.
	for _, key := range []string{"data=nonsense", "noise=-4", "ratio=200", "points=abc", "seed=-1", "features=foo,bar", "layers=9999:relu",
		"optimizer=nope", "lr=NaN", "batch=0", "reg=l3", "regrate=1e9", "preset=unknown", "edits", "slice=inf", "showtest=maybe", "speed=-2"} {
		found := false
		for _, n := range notes {
			if strings.HasPrefix(n, key) && strings.Contains(n, "using") || key == "edits" && strings.HasPrefix(n, "edits: 1 ") {
				found = true
			}
		}
		if !found {
			t.Errorf("no note on %s in\n%s", key, strings.Join(notes, "\n"))
		}
	}
	if len(notes) != 17 {
		t.Errorf("%d notes, want 17:\n%s", len(notes), strings.Join(notes, "\n"))
	}
	q, _ = url.ParseQuery("data=spiral&noise=20&ratio=70&points=800&seed=7&features=x1,x1sq,sinx2&layers=8:relu:0.2,3:maxout" +
		"&optimizer=adam&lr=0.01&batch=25&reg=l2&regrate=0.003&speed=0&showtest=true&discretize=true")
	got, notes = ParseConfig(q)
	if len(notes) != 0 {
		t.Errorf("a valid query got notes %q", notes)
	}
	want := Config{Data: "spiral", Noise: 20, TrainRatio: 70, Points: 800, Seed: 7, Features: []string{"x1", "x1sq", "sinx2"},
		Layers: []Layer{{8, "relu", 0.2}, {3, "maxout", 0}}, Optimizer: "adam", LR: 0.01, Batch: 25, Reg: "l2", RegRate: 0.003,
		Speed: 0, ShowTest: true, Discretize: true, Standardize: true}
	if got.Encode() != want.Encode() {
		t.Errorf("got\n%s\nwant\n%s", got.Encode(), want.Encode())
	}
	// The canonical form reads back to itself.
	q, _ = url.ParseQuery(got.Encode())
	if again, _ := ParseConfig(q); again.Encode() != got.Encode() {
		t.Errorf("round trip changed %s into %s", got.Encode(), again.Encode())
	}
	// Features the data lacks fall back to the data's own.
	q, _ = url.ParseQuery("data=square&features=x1,x2")
	if got, notes := ParseConfig(q); !slices.Equal(got.Features, []string{"x"}) || len(notes) != 1 || !strings.Contains(notes[0], "using x") {
		t.Errorf("1-D data with 2-D features: got %v, want [x]; notes %q", got.Features, notes)
	}
	// A preset whose network the query contradicts is dropped.
	q, _ = url.ParseQuery("data=abs&features=x&layers=3:relu&preset=abs")
	if got, notes := ParseConfig(q); got.Preset != "" || len(notes) != 1 || !strings.HasPrefix(notes[0], "preset=abs") {
		t.Errorf("preset abs with 3 hidden units kept: %+v, notes %q", got, notes)
	}
}

func TestSessionConfigureStepAndState(t *testing.T) {
	c := newClient(t, Options{})
	rep := c.create("data=quadrants&layers=8:tanh,8:tanh&optimizer=adam&lr=0.03&speed=0")
	if rep.ID == "" || rep.Config.Data != "quadrants" || len(rep.Config.Layers) != 2 {
		t.Fatalf("create: %+v", rep)
	}
	f := c.frame(0, 0, 0)
	if f.Epoch != 0 || f.Playing || f.Config == nil || f.Data == nil || f.Data.Set.Name != "quadrants" {
		t.Fatalf("first frame: epoch %d playing %v config %v data %v", f.Epoch, f.Playing, f.Config != nil, f.Data != nil)
	}
	if n := len(f.Data.Train) / 3; n != 250 {
		t.Errorf("%d training points, want 250 of 500 at ratio 50%%", n)
	}
	if len(f.Layers) != 3 || f.Layers[0].In != 2 || f.Layers[0].Out != 8 || len(f.Layers[1].W) != 64 {
		t.Errorf("layers: %+v", f.Layers)
	}
	if len(f.Nodes) != 2 || len(f.Nodes[0]) != 8 || f.Output == "" || f.Params != 2*8+8+8*8+8+8+1 {
		t.Errorf("nodes %d, output %d bytes, params %d", len(f.Nodes), len(f.Output), f.Params)
	}
	// Unchanged versions: no config and no data resent.
	if g := c.frame(0, f.CV, f.DV); g.Config != nil || g.Data != nil {
		t.Error("frame resent config or data the page already has")
	}

	for range 3 {
		c.command("step")
	}
	f = c.frame(0, 0, 0)
	if f.Epoch != 3 || len(f.History.Epochs) != 3 || f.Loss.Test == nil {
		t.Fatalf("after 3 steps: epoch %d, history %v", f.Epoch, f.History.Epochs)
	}

	// Training settings keep the weights; the network's shape does not.
	before := *f.Layers[0].W[0]
	rep = c.configure(strings.Replace(rep.Query, "lr=0.03", "lr=0.01", 1))
	if rep.Config.LR != 0.01 {
		t.Fatalf("lr not applied: %+v", rep.Config)
	}
	if f = c.frame(0, 0, 0); f.Epoch != 3 || *f.Layers[0].W[0] != before {
		t.Errorf("changing the learning rate reset the network (epoch %d)", f.Epoch)
	}
	rep = c.configure(strings.Replace(rep.Query, "layers=8:tanh,8:tanh", "layers=5:relu", 1))
	if f = c.frame(0, 0, 0); f.Epoch != 0 || len(f.Layers) != 2 || f.Layers[0].Out != 5 {
		t.Errorf("new layers: epoch %d, layers %d", f.Epoch, len(f.Layers))
	}

	// Play trains in the background until paused.
	c.command("play")
	deadline := time.Now().Add(20 * time.Second)
	for {
		f = c.frame(f.V, 0, 0)
		if f.Epoch >= 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("playing for 20 s reached epoch %d", f.Epoch)
		}
	}
	if !f.Playing {
		t.Error("frame says not playing")
	}
	c.command("pause")
	time.Sleep(50 * time.Millisecond)
	e := c.frame(0, 0, 0).Epoch
	time.Sleep(200 * time.Millisecond)
	if g := c.frame(0, 0, 0); g.Playing || g.Epoch != e {
		t.Errorf("paused session went on training: epoch %d then %d", e, g.Epoch)
	}

	// Reset draws new starting weights, and records their seed in the link;
	// with sameseed it goes back to the same ones.
	first := c.frame(0, 0, 0)
	rep = c.command("reset")
	f = c.frame(0, 0, 0)
	if f.Epoch != 0 || *f.Layers[0].W[3] == *first.Layers[0].W[3] || !strings.Contains(rep.Query, "init=") {
		t.Errorf("reset kept the starting weights (%v, was %v) or left the link without init: %s", *f.Layers[0].W[3], *first.Layers[0].W[3], rep.Query)
	}
	rep = c.configure(rep.Query + "&sameseed=true")
	c.command("step")
	c.command("reset")
	if g := c.frame(0, 0, 0); g.Epoch != 0 || *g.Layers[0].W[3] != *f.Layers[0].W[3] {
		t.Error("reset with sameseed did not restore the starting weights")
	}
	// The link reproduces the weights a reset drew.
	id := c.id
	c.create(rep.Query)
	if linked := *c.frame(0, 0, 0).Layers[0].W[3]; linked != *f.Layers[0].W[3] {
		t.Errorf("the link after a reset starts from %v, the page from %v", linked, *f.Layers[0].W[3])
	}
	c.id = id

	// Regenerate draws new points with the next seed.
	rep = c.command("regenerate")
	if rep.Config.Seed != 2 {
		t.Errorf("regenerate: seed %d, want 2", rep.Config.Seed)
	}

	// An unknown session is a clear 404.
	code, msg := c.do("GET", "/api/sessions/nope/frame", "", nil, nil, nil)
	if code != http.StatusNotFound || !strings.Contains(msg, "session") {
		t.Errorf("unknown session: %d %q", code, msg)
	}
}

func TestFrameLongPollsUntilChange(t *testing.T) {
	c := newClient(t, Options{})
	c.create("")
	f := c.frame(0, 0, 0)
	start := time.Now()
	g := c.frame(f.V, f.CV, f.DV)
	if waited := time.Since(start); waited < longPoll/2 || g.V != f.V {
		t.Errorf("unchanged session answered after %v with version %d (had %d)", waited, g.V, f.V)
	}
	done := make(chan wireFrame)
	go func() { done <- c.frame(f.V, f.CV, f.DV) }()
	time.Sleep(100 * time.Millisecond)
	c.command("step")
	select {
	case g := <-done:
		if g.Epoch != 1 {
			t.Errorf("woken frame has epoch %d, want 1", g.Epoch)
		}
	case <-time.After(longPoll / 2):
		t.Error("a step did not wake the waiting frame request")
	}
}

func TestUploadErrorsLeaveServerHealthy(t *testing.T) {
	c := newClient(t, Options{MaxUploadBytes: 4096, MaxUploadRows: 50})
	c.create("data=circle")
	var big strings.Builder
	big.WriteString("x1,x2,label\n")
	for big.Len() <= 4096 {
		big.WriteString("0.5,0.25,1\n")
	}
	var many strings.Builder
	many.WriteString("x1,x2,label\n")
	for i := range 60 {
		many.WriteString("1,2," + strconv.Itoa(i%2) + "\n")
	}
	cases := []struct {
		name, body string
		code       int
		want       string
	}{
		{"oversized", big.String(), http.StatusRequestEntityTooLarge, "larger than 4 KB"},
		{"empty", "", http.StatusBadRequest, "empty"},
		{"not numbers", "x1,x2,label\n1,2,a\nfoo,3,b\n1,1,a\n2,2,b\n", http.StatusBadRequest, `column "x1"`},
		{"ragged", "x1,x2,label\n1,2,a\n1,2\n", http.StatusBadRequest, "fields"},
		{"no inputs", "a,b,label\n1,2,a\n", http.StatusBadRequest, "x1 and x2"},
		{"no target", "x1,x2,z\n1,2,3\n", http.StatusBadRequest, "label"},
		{"three classes", "x1,x2,label\n1,2,a\n2,3,b\n3,4,c\n4,5,a\n", http.StatusBadRequest, "3 classes"},
		{"too many rows", many.String(), http.StatusBadRequest, "at most 50"},
		{"too few rows", "x,y\n1,2\n2,3\n", http.StatusBadRequest, "at least 4"},
		{"binary junk", "\x00\x01\x02\xff\xfe", http.StatusBadRequest, ""},
	}
	for _, tc := range cases {
		code, msg := c.do("POST", c.path("upload"), "text/csv", strings.NewReader(tc.body), nil, nil)
		if code != tc.code || !strings.Contains(msg, tc.want) || msg == "" {
			t.Errorf("%s: status %d %q, want %d mentioning %q", tc.name, code, msg, tc.code, tc.want)
		}
	}
	// Still healthy: the session kept its data and a new one starts.
	if f := c.frame(0, 0, 0); f.Data == nil || f.Data.Set.Name != "circle" {
		t.Errorf("after bad uploads the data is %+v", f.Data)
	}
	c.create("data=spiral")
	if f := c.frame(0, 0, 0); f.Data.Set.Name != "spiral" {
		t.Error("cannot start a session after bad uploads")
	}
}

func TestUploadCSV(t *testing.T) {
	c := newClient(t, Options{})
	c.create("")
	var b strings.Builder
	b.WriteString("\ufeffx1,x2,label,extra\n")
	rng := tensor.NewRNG(3)
	for range 100 {
		x1, x2 := rng.Uniform(-2, 2), rng.Uniform(-2, 2)
		label := "outside"
		if x1*x1+x2*x2 < 1.5 {
			label = "inside"
		}
		b.WriteString(strings.Join([]string{ftoa(x1), ftoa(x2), label, "z"}, ",") + "\n")
	}
	var rep configReply
	c.must("POST", c.path("upload"), "text/csv", strings.NewReader(b.String()), &rep)
	if rep.Config.Data != "csv" || !strings.Contains(rep.Notice, "100 rows") {
		t.Fatalf("upload reply: %+v", rep)
	}
	f := c.frame(0, 0, 0)
	if f.Data.Set.Name != "csv" || len(f.Data.Train)+len(f.Data.Test) != 300 || !slices.Equal(f.Data.Classes, []string{"inside", "outside"}) {
		t.Errorf("uploaded data: %+v", f.Data)
	}
	// A config change keeps the uploaded data.
	rep = c.configure(strings.Replace(rep.Query, "layers=4:tanh,2:tanh", "layers=6:relu", 1))
	if rep.Config.Data != "csv" {
		t.Errorf("config change dropped the upload: %+v", rep.Config)
	}
	// A 1-D regression upload.
	c.must("POST", c.path("upload"), "text/csv", strings.NewReader("x,y\n-1,1\n-0.5,0.25\n0,0\n0.5,0.25\n1,1\n0.2,0.04\n"), &rep)
	if !slices.Equal(rep.Config.Features, []string{"x"}) {
		t.Errorf("1-D upload features %v", rep.Config.Features)
	}
	if f := c.frame(0, 0, 0); f.Curve == nil || len(f.Curve.Fit) != curveLen {
		t.Error("1-D upload has no curve")
	}
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

func TestCrossOriginAndHostChecks(t *testing.T) {
	c := newClient(t, Options{Hosts: []string{"playground.lan"}})
	c.create("")
	host := strings.TrimPrefix(c.ts.URL, "http://")
	cases := []struct {
		name, method, path string
		hdr                map[string]string
		code               int
	}{
		{"other origin", "POST", c.path("play"), map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"cross-site fetch", "POST", c.path("play"), map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"same-site but other port", "POST", c.path("play"), map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"create from other origin", "POST", "/api/sessions", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"upload from other origin", "POST", c.path("upload"), map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"rebound host name", "GET", "/api/meta", map[string]string{"Host": "evil.example:" + strings.Split(host, ":")[1]}, http.StatusForbidden},
		{"rebound host, POST", "POST", c.path("pause"), map[string]string{"Host": "attacker.test"}, http.StatusForbidden},
		{"same origin", "POST", c.path("pause"), map[string]string{"Origin": c.ts.URL, "Sec-Fetch-Site": "same-origin"}, http.StatusOK},
		{"no browser headers", "POST", c.path("pause"), nil, http.StatusOK},
		{"localhost", "GET", "/api/meta", map[string]string{"Host": "localhost:1"}, http.StatusOK},
		{"loopback v6", "GET", "/api/meta", map[string]string{"Host": "[::1]:8080"}, http.StatusOK},
		{"allowed name", "GET", "/", map[string]string{"Host": "playground.lan:8080"}, http.StatusOK},
		{"cross-site GET of the page", "GET", "/", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusOK},
	}
	for _, tc := range cases {
		code, msg := c.do(tc.method, tc.path, "", nil, tc.hdr, nil)
		if code != tc.code {
			t.Errorf("%s: status %d (%s), want %d", tc.name, code, msg, tc.code)
		}
		if code == http.StatusForbidden && msg == "" {
			t.Errorf("%s: 403 without an explanation", tc.name)
		}
	}
	if f := c.frame(0, 0, 0); f.Playing {
		t.Error("a refused cross-origin play started training")
	}
}

func TestSessionsAreBounded(t *testing.T) {
	// While every page is open (it polls or sends heartbeats), a session
	// beyond the limit is refused rather than taking an open page's work.
	c := newClient(t, Options{MaxSessions: 3})
	c.srv.stale = 150 * time.Millisecond
	var ids []string
	for range 3 {
		ids = append(ids, c.create("").ID)
	}
	code, msg := c.do("POST", "/api/sessions", "application/x-www-form-urlencoded", strings.NewReader(""), nil, nil)
	if code != http.StatusServiceUnavailable || !strings.Contains(msg, "close one") {
		t.Errorf("a 4th session beside 3 open pages: %d %q, want 503 asking to close a tab", code, msg)
	}
	for _, id := range ids {
		c.id = id
		c.frame(0, 0, 0)
	}
	// Pages 1 and 2 keep sending heartbeats; page 0 falls silent, so a
	// new session takes its place.
	for range 4 {
		time.Sleep(60 * time.Millisecond)
		for _, id := range ids[1:] {
			c.id = id
			c.command("heartbeat")
		}
	}
	ids = append(ids, c.create("").ID)
	if n := c.srv.Sessions(); n != 3 {
		t.Errorf("%d sessions held, want at most 3", n)
	}
	for i, id := range ids {
		c.id = id
		code, _ := c.do("GET", c.path("frame"), "", nil, nil, nil)
		if want := map[bool]int{true: http.StatusNotFound, false: http.StatusOK}[i == 0]; code != want {
			t.Errorf("session %d: frame status %d, want %d", i, code, want)
		}
	}

	// The idle timeout ends sessions whose page is silent, not those whose
	// page sends heartbeats (as a hidden tab does).
	c = newClient(t, Options{IdleTimeout: 200 * time.Millisecond})
	var m meta
	c.must("GET", "/api/meta", "", nil, &m)
	if m.HeartbeatMS <= 0 || time.Duration(m.HeartbeatMS)*time.Millisecond > 200*time.Millisecond/2 {
		t.Errorf("heartbeat every %d ms for an idle timeout of 200 ms", m.HeartbeatMS)
	}
	quiet := c.create("").ID
	c.command("play")
	open := c.create("").ID
	for range 8 {
		time.Sleep(50 * time.Millisecond)
		c.command("heartbeat")
	}
	c.srv.expire()
	if n := c.srv.Sessions(); n != 1 {
		t.Errorf("%d sessions held after the idle timeout, want only the one with heartbeats", n)
	}
	c.id = quiet
	if code, msg := c.do("POST", c.path("heartbeat"), "", nil, nil, nil); code != http.StatusNotFound || !strings.Contains(msg, "200ms") {
		t.Errorf("expired session: %d %q, want 404 naming the timeout", code, msg)
	}
	// Close removes a session at once.
	c.id = open
	c.command("close")
	if n := c.srv.Sessions(); n != 0 {
		t.Errorf("closed session still held: %d", n)
	}
}

func TestExportLoadsAndPredicts(t *testing.T) {
	c := newClient(t, Options{})
	c.create("data=quadrants&layers=6:relu,4:tanh:0.1&optimizer=adam&lr=0.03&features=x1,x2,x1x2&reg=l2&regrate=0.001")
	for range 30 {
		c.command("step")
	}
	f := c.frame(0, 0, 0)
	model := fetch(t, c.ts.URL+c.path("model.safetensors"))
	specText := fetch(t, c.ts.URL+c.path("spec.yaml"))
	csvText := fetch(t, c.ts.URL+c.path("data.csv"))
	dir := t.TempDir()
	for name, b := range map[string][]byte{"m.safetensors": model, "spec.yaml": specText, "data.csv": csvText} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := train.LoadModel(filepath.Join(dir, "m.safetensors"))
	if err != nil {
		t.Fatalf("LoadModel: %v", err)
	}
	if !slices.Equal(m.FeatureNames, []string{"x1", "x2", "x1x2"}) || m.Decoder == nil || m.Decoder.Kind != data.Sigmoid {
		t.Errorf("model: features %v, decoder %+v", m.FeatureNames, m.Decoder)
	}
	// Predict the test points and compare with the accuracy the page shows.
	pts := f.Data.Test
	n := len(pts) / 3
	x := make([]float32, 0, 3*n)
	for i := range n {
		a, b := float32(pts[3*i]), float32(pts[3*i+1])
		x = append(x, a, b, a*b)
	}
	out, err := m.Predict(tensor.New(x, n, 3))
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	for i, d := range m.Decoder.Decode(out) {
		if d == strconv.Itoa(int(pts[3*i+2])) {
			right++
		}
	}
	acc := float64(right) / float64(n)
	if f.Loss.TestAcc == nil || math.Abs(acc-*f.Loss.TestAcc) > 1e-9 || acc < 0.8 {
		t.Errorf("exported model's test accuracy %.3f, the page's %v", acc, *f.Loss.TestAcc)
	}
	// The spec and the data retrain it with `bigfunc train`.
	s, err := spec.Load(filepath.Join(dir, "spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tr, sets, err := train.Build(s, train.Options{})
	if err != nil {
		t.Fatalf("the exported spec does not build: %v\n%s", err, specText)
	}
	if sets.Train.Len() != 250 || sets.Valid.Len() != 250 || tr.Model.Outputs != 1 || s.Train.Epochs != 30 {
		t.Errorf("retraining set-up: %d+%d rows, %d outputs, %d epochs", sets.Train.Len(), sets.Valid.Len(), tr.Model.Outputs, s.Train.Epochs)
	}
	if tr.Config.Penalty != (train.Penalty{L2: 0.001}) {
		t.Errorf("the spec carries the penalty %+v, want L2 0.001:\n%s", tr.Config.Penalty, specText)
	}

	// Regression on the chapter's data exports too.
	c.create("data=square&layers=8:relu")
	c.command("step")
	model = fetch(t, c.ts.URL+c.path("model.safetensors"))
	path := filepath.Join(dir, "sq.safetensors")
	if err := os.WriteFile(path, model, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err = train.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err = m.Predict(tensor.New([]float32{0, 0.5}, 2, 1))
	if err != nil || out.Len() != 2 || m.Decoder.Kind != data.Identity || !slices.Equal(m.TargetNames, []string{"y"}) {
		t.Errorf("regression model: %v %v %+v", err, out, m.Decoder)
	}
}

func fetch(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v %s", u, resp.StatusCode, err, b)
	}
	return b
}

func TestChapterPresetsAreExact(t *testing.T) {
	c := newClient(t, Options{})
	for _, p := range presets {
		rep := c.create(p.Query)
		if rep.Config.Preset != p.Name {
			t.Fatalf("%s: preset not loaded: %+v", p.Name, rep.Config)
		}
		f := c.frame(0, 0, 0)
		if *f.Loss.Train > 1e-10 || *f.Loss.Test > 1e-10 {
			t.Errorf("%s network: loss %g / %g, want 0: the chapter's weights are exact", p.Name, *f.Loss.Train, *f.Loss.Test)
		}
	}
	// |x|: both units switch at x = 0.
	c.create(presetByName("abs").Query)
	f := c.frame(0, 0, 0)
	if len(f.Curve.Kinks) != 2 {
		t.Fatalf("|x| network kinks: %+v", f.Curve.Kinks)
	}
	for _, k := range f.Curve.Kinks {
		if math.Abs(k.X) > 1e-6 || k.Layer != 0 {
			t.Errorf("kink %+v, want x = 0 in layer 0", k)
		}
	}
	// Moving a bias moves its kink to −b/w: unit 0 has w = 1, so b = −0.5
	// puts it at 0.5.
	var rep configReply
	c.must("POST", c.path("param"), "application/json", strings.NewReader(`{"layer":0,"bias":true,"row":0,"value":-0.5}`), &rep)
	if !strings.Contains(rep.Query, "edits=0b0~-0.5") {
		t.Errorf("edit at epoch 0 not kept in the link: %s", rep.Query)
	}
	f = c.frame(0, 0, 0)
	xs := []float64{f.Curve.Kinks[0].X, f.Curve.Kinks[1].X}
	slices.Sort(xs)
	if math.Abs(xs[0]) > 1e-6 || math.Abs(xs[1]-0.5) > 1e-6 {
		t.Errorf("kinks after the edit %v, want 0 and 0.5", xs)
	}
	// The link reproduces the edited network.
	c.create(rep.Query)
	if g := c.frame(0, 0, 0); *g.Layers[0].B[0] != -0.5 {
		t.Errorf("link lost the edit: bias %v", *g.Layers[0].B[0])
	}
	for _, bad := range []string{`{"layer":5,"bias":true,"row":0,"value":1}`, `{"layer":0,"row":9,"col":0,"value":1}`,
		`{"layer":0,"row":0,"col":0,"value":1e300}`, `{"layer":0,"nonsense":1}`, `not json`} {
		if code, msg := c.do("POST", c.path("param"), "application/json", strings.NewReader(bad), nil, nil); code != http.StatusBadRequest || msg == "" {
			t.Errorf("param %s: %d %q", bad, code, msg)
		}
	}
	// Perturbing at epoch 0 is kept in the link too.
	rep = c.command("perturb")
	if len(rep.Config.Edits) != 7 {
		t.Errorf("perturbing the 7 weights of the |x| network recorded %d edits", len(rep.Config.Edits))
	}
	// Other data keeps the preset, so the |x| network can learn x².
	rep = c.configure(strings.Replace(rep.Query, "data=abs", "data=square", 1))
	if rep.Config.Preset != "abs" {
		t.Errorf("switching to x² dropped the preset: %+v", rep.Config)
	}
}

func TestEveryActivationAndOptimizer(t *testing.T) {
	c := newClient(t, Options{})
	for _, a := range activation.Names() {
		rep := c.create("data=circle&layers=3:" + a + ",2:" + a)
		if rep.Config.Layers[0].Activation != a {
			t.Errorf("activation %s not accepted: %+v", a, rep.Config.Layers)
			continue
		}
		c.command("step")
		f := c.frame(0, 0, 0)
		if f.Epoch != 1 || len(f.Nodes[0]) != 3 {
			t.Errorf("%s: epoch %d, %d node maps", a, f.Epoch, len(f.Nodes[0]))
		}
		if a == "maxout" && (f.Layers[0].Out != 6 || f.Layers[0].Pieces != 2) {
			t.Errorf("maxout layer: %+v", f.Layers[0])
		}
	}
	for _, o := range Optimizers {
		c.create("data=gauss&optimizer=" + o + "&lr=0.01")
		c.command("step")
		if f := c.frame(0, 0, 0); f.Epoch != 1 || f.Message != "" {
			t.Errorf("%s: epoch %d %q", o, f.Epoch, f.Message)
		}
	}
}

func TestLargestNetworkAndCurves(t *testing.T) {
	c := newClient(t, Options{})
	layers := strings.TrimSuffix(strings.Repeat("64:relu,", MaxLayers), ",")
	rep := c.create("data=max&points=500&layers=" + layers + "&slice=0.5")
	if len(rep.Config.Layers) != MaxLayers {
		t.Fatalf("got %d layers", len(rep.Config.Layers))
	}
	start := time.Now()
	f := c.frame(0, 0, 0)
	t.Logf("frame of a %d×64 network: %v", MaxLayers, time.Since(start))
	if len(f.Nodes) != MaxLayers || len(f.Nodes[9]) != 64 || f.Grid != smallGrid || f.Curve == nil || f.Curve.Truth == nil {
		t.Fatalf("frame: %d layers, grid %d, curve %v", len(f.Nodes), f.Grid, f.Curve != nil)
	}
	// The truth along the slice x2 = 0.5 is max(x1, 0.5).
	for i, v := range f.Curve.Truth {
		x := lineX(i, curveLen, f.Curve.From, f.Curve.To)
		if math.Abs(*v-math.Max(x, 0.5)) > 2e-3 {
			t.Fatalf("truth at %g is %g", x, *v)
		}
	}
	c.command("step")
	// Too many layers or neurons fall back to the default network.
	rep = c.create("layers=" + layers + ",4:relu")
	if len(rep.Config.Layers) != 2 {
		t.Errorf("11 layers accepted: %d", len(rep.Config.Layers))
	}
	rep = c.create("layers=65:relu")
	if rep.Config.Layers[0].Units != 4 {
		t.Errorf("65 neurons accepted")
	}
}

func TestDivergenceStopsWithMessage(t *testing.T) {
	c := newClient(t, Options{})
	c.create("data=plane&layers=16:relu,16:relu&lr=10&batch=1&speed=0")
	c.command("play")
	deadline := time.Now().Add(10 * time.Second)
	var f wireFrame
	for time.Now().Before(deadline) {
		f = c.frame(f.V, 0, 0)
		if !f.Playing {
			break
		}
	}
	if f.Playing || !strings.Contains(f.Message, "learning rate") {
		t.Errorf("divergence: playing %v, message %q", f.Playing, f.Message)
	}
}

func TestPageAndAssetsAreEmbedded(t *testing.T) {
	c := newClient(t, Options{})
	page := string(fetch(t, c.ts.URL+"/"))
	for _, want := range []string{"/static/app.js", "/static/style.css", "bigfunc playground"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Error("the page refers to another site")
	}
	for _, p := range []string{"/static/app.js", "/static/style.css", "/static/favicon.svg"} {
		if b := fetch(t, c.ts.URL+p); len(b) < 100 || bytes.Contains(b, []byte("https://")) {
			t.Errorf("%s: %d bytes or external reference", p, len(b))
		}
	}
	var m meta
	c.must("GET", "/api/meta", "", nil, &m)
	if len(m.Activations) != len(activation.Names()) || len(m.Presets) != 3 || len(m.DataSets) != len(dataSets) {
		t.Errorf("meta: %d activations, %d presets", len(m.Activations), len(m.Presets))
	}
}
