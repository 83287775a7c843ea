package playground

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/tensor"
)

//go:embed static
var staticFiles embed.FS

// Default limits of a Server.
const (
	DefaultMaxSessions    = 32
	DefaultIdleTimeout    = 30 * time.Minute
	DefaultMaxUploadBytes = 1 << 20
	DefaultMaxUploadRows  = 10000
	DefaultReadTimeout    = 30 * time.Second
	maxFormBytes          = 64 << 10
	longPoll              = time.Second
	// maxHeartbeat is the longest pause between a page's heartbeats.
	// Browsers run the timers of a hidden tab about once a minute at
	// worst, so a page is taken for closed only after staleAfter without
	// a word from it.
	maxHeartbeat = 30 * time.Second
	staleAfter   = 3 * time.Minute
)

// Options configures a Server. Zero fields take the defaults.
type Options struct {
	// MaxSessions bounds the sessions held at once. Creating one more
	// drops the least recently used of those whose page has gone quiet
	// (closed without saying so); when every page is still open, it is
	// refused.
	MaxSessions int
	// IdleTimeout drops a session whose page has not been heard from for
	// that long. An open page, even a hidden one, sends heartbeats, so
	// this only ends sessions whose page is gone or asleep.
	IdleTimeout time.Duration
	// ReadTimeout bounds reading one request, its body included, so that
	// a client cannot hold a connection by sending an upload slowly.
	ReadTimeout time.Duration
	// Log, when not nil, receives a line per request (except the frames
	// and heartbeats a page sends many times a second, unless they fail)
	// and per session that ends.
	Log *log.Logger
	// MaxUploadBytes and MaxUploadRows bound an uploaded CSV.
	MaxUploadBytes int64
	MaxUploadRows  int
	// Hosts lists host names, besides localhost and IP addresses, that
	// requests may name in their Host header (for a server reached by
	// name on a network). Every other name is refused, which defeats DNS
	// rebinding: a hostile page cannot reach the server under its own
	// domain name.
	Hosts []string
}

// Server serves the playground page and its API. It implements
// http.Handler; Serve runs it on a listener.
type Server struct {
	opts    Options
	handler http.Handler
	ctx     context.Context
	cancel  context.CancelFunc

	mu       sync.Mutex
	sessions map[string]*session
	seq      uint64 // perturbation seeds

	heartbeat time.Duration // how often a page says it is open
	stale     time.Duration // silence after which a page counts as gone
}

// NewServer returns a server with the given options.
func NewServer(opts Options) *Server {
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = DefaultMaxSessions
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if opts.MaxUploadRows <= 0 {
		opts.MaxUploadRows = DefaultMaxUploadRows
	}
	if opts.ReadTimeout <= 0 {
		opts.ReadTimeout = DefaultReadTimeout
	}
	s := &Server{opts: opts, sessions: map[string]*session{}}
	// Several heartbeats fit in the idle timeout, even a short one.
	s.heartbeat = min(maxHeartbeat, max(opts.IdleTimeout/4, 100*time.Millisecond))
	s.stale = min(staleAfter, opts.IdleTimeout)
	s.ctx, s.cancel = context.WithCancel(context.Background())

	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	files := http.FileServerFS(static)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		b, _ := fs.ReadFile(static, "index.html")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	})
	mux.Handle("GET /static/", http.StripPrefix("/static/", files))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /api/meta", s.handleMeta)
	mux.HandleFunc("POST /api/sessions", s.handleCreate)
	mux.HandleFunc("GET /api/sessions/{id}/frame", s.withSession(s.handleFrame))
	mux.HandleFunc("POST /api/sessions/{id}/config", s.withSession(s.handleConfig))
	mux.HandleFunc("POST /api/sessions/{id}/upload", s.withSession(s.handleUpload))
	mux.HandleFunc("POST /api/sessions/{id}/param", s.withSession(s.handleParam))
	mux.HandleFunc("POST /api/sessions/{id}/{action}", s.withSession(s.handleAction))
	mux.HandleFunc("GET /api/sessions/{id}/model.safetensors", s.withSession(s.handleModel))
	mux.HandleFunc("GET /api/sessions/{id}/spec.yaml", s.withSession(s.handleSpec))
	mux.HandleFunc("GET /api/sessions/{id}/data.csv", s.withSession(s.handleData))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin request refused: the playground only takes commands from its own page")
	}))
	s.handler = s.checkHost(cop.Handler(mux))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	if s.opts.Log == nil {
		s.handler.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	s.handler.ServeHTTP(rec, r)
	if rec.status < 400 && (strings.HasSuffix(r.URL.Path, "/frame") || strings.HasSuffix(r.URL.Path, "/heartbeat")) {
		return
	}
	line := fmt.Sprintf("%s %s %d %s", r.Method, logPath(r.URL.Path), rec.status, time.Since(start).Round(100*time.Microsecond))
	if rec.msg != "" {
		line += ": " + rec.msg
	}
	s.opts.Log.Print(line)
}

// recorder notes the status of a response and the message of an error.
type recorder struct {
	http.ResponseWriter
	status int
	msg    string
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logPath shortens session ids in a path to their first 8 characters: the
// log stays readable and does not hand out whole session ids.
func logPath(p string) string {
	const pre = "/api/sessions/"
	if !strings.HasPrefix(p, pre) {
		return p
	}
	id, rest, _ := strings.Cut(p[len(pre):], "/")
	return pre + shortID(id) + "/" + rest
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Log != nil {
		s.opts.Log.Printf(format, args...)
	}
}

// checkHost refuses requests whose Host header names a host other than
// localhost, an IP address or one of Options.Hosts.
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			writeError(w, http.StatusForbidden, fmt.Sprintf("unexpected Host header %q: open the playground at http://localhost or http://127.0.0.1", r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	switch {
	case host == "":
		return false
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return true
	case net.ParseIP(host) != nil:
		return true
	}
	for _, h := range s.opts.Hosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully:
// it stops accepting, lets requests in flight finish (a few seconds at
// most), and stops every session's training.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.opts.ReadTimeout,
		IdleTimeout:       2 * time.Minute,
	}
	if s.opts.Log != nil {
		// The server's own complaints (bad TLS probes, timeouts) go to
		// the same log.
		srv.ErrorLog = s.opts.Log
	} else {
		srv.ErrorLog = log.New(io.Discard, "", 0)
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(min(time.Minute, max(s.opts.IdleTimeout/4, 10*time.Millisecond)))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s.expire()
			}
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		// Stopping the sessions first ends the frame requests that wait
		// for a change, so shutdown need not wait for them.
		s.cancel()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
	}
	close(done)
	s.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close stops every session.
func (s *Server) Close() {
	s.cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, ss := range s.sessions {
		ss.cancel()
		delete(s.sessions, id)
	}
}

// Sessions returns the number of sessions held.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// expire drops sessions whose page has not been heard from for longer
// than the idle timeout.
func (s *Server) expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, ss := range s.sessions {
		if idle := ss.idle(); idle > s.opts.IdleTimeout {
			ss.cancel()
			delete(s.sessions, id)
			s.logf("session %s ended: no word from its page for %s (the idle timeout is %s)", shortID(id), idle.Round(time.Second), s.opts.IdleTimeout)
		}
	}
}

// errFull refuses a session when every one held has its page open.
var errFull = errors.New("full")

// add stores a new session. When the server holds as many as it may, it
// drops the least recently used one whose page has gone quiet; when every
// page is still open, it refuses, so that no open page loses its work.
func (s *Server) add(ss *session) error {
	s.expire()
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.sessions) >= s.opts.MaxSessions {
		var oldest *session
		var oldestIdle time.Duration
		for _, o := range s.sessions {
			if idle := o.idle(); idle > s.stale && idle > oldestIdle {
				oldest, oldestIdle = o, idle
			}
		}
		if oldest == nil {
			return errFull
		}
		oldest.cancel()
		delete(s.sessions, oldest.id)
		s.logf("session %s ended: the server holds %d sessions and its page was quiet for %s", shortID(oldest.id), s.opts.MaxSessions, oldestIdle.Round(time.Second))
	}
	s.sessions[ss.id] = ss
	return nil
}

func (s *Server) get(id string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[id]
}

func (s *Server) remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss := s.sessions[id]; ss != nil {
		ss.cancel()
		delete(s.sessions, id)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error: cannot encode the response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	for u := w; u != nil; {
		if r, ok := u.(*recorder); ok {
			r.msg = msg
			break
		}
		uw, ok := u.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		u = uw.Unwrap()
	}
	writeJSON(w, status, map[string]string{"error": msg})
}

// readForm reads a query string sent as the body of a POST.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFormBytes))
	if err != nil {
		return nil, fmt.Errorf("the request body is larger than %d KB", maxFormBytes>>10)
	}
	// Malformed pairs are skipped; ParseConfig then keeps the defaults.
	// A body that stops arriving ends at the server's read timeout.
	q, _ := url.ParseQuery(strings.TrimPrefix(string(b), "?"))
	return q, nil
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// meta is what the page needs to build its controls.
type meta struct {
	DataSets        []*dataSet           `json:"dataSets"`
	Features        map[string][]feature `json:"features"`
	Activations     []string             `json:"activations"`
	Optimizers      []string             `json:"optimizers"`
	Regularizations []string             `json:"regularizations"`
	Presets         []*preset            `json:"presets"`
	Defaults        string               `json:"defaults"`
	MaxLayers       int                  `json:"maxLayers"`
	MaxNeurons      int                  `json:"maxNeurons"`
	MinPoints       int                  `json:"minPoints"`
	MaxPoints       int                  `json:"maxPoints"`
	MaxUploadBytes  int64                `json:"maxUploadBytes"`
	MaxUploadRows   int                  `json:"maxUploadRows"`
	HeartbeatMS     int64                `json:"heartbeatMs"`
	IdleTimeout     string               `json:"idleTimeout"`
}

func (s *Server) handleMeta(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, meta{
		DataSets:        dataSets,
		Features:        map[string][]feature{"1": features1, "2": features2},
		Activations:     activation.Names(),
		Optimizers:      Optimizers,
		Regularizations: Regularizations,
		Presets:         presets,
		Defaults:        DefaultConfig().Encode(),
		MaxLayers:       MaxLayers,
		MaxNeurons:      MaxNeurons,
		MinPoints:       MinPoints,
		MaxPoints:       MaxPoints,
		MaxUploadBytes:  s.opts.MaxUploadBytes,
		MaxUploadRows:   s.opts.MaxUploadRows,
		HeartbeatMS:     s.heartbeat.Milliseconds(),
		IdleTimeout:     s.opts.IdleTimeout.String(),
	})
}

// configReply answers a command that may have changed the set-up.
type configReply struct {
	ID     string `json:"id,omitempty"`
	Config Config `json:"config"`
	Query  string `json:"query"`
	CV     uint64 `json:"cv"`
	Notice string `json:"notice,omitempty"`
	// Notes says which settings asked for were changed, and why.
	Notes []string `json:"notes,omitempty"`
}

func (ss *session) reply() configReply {
	return configReply{ID: ss.id, Config: ss.cfg.clone(), Query: ss.cfg.Encode(), CV: ss.cversion}
}

// handleCreate starts a session from the query string in the body.
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	q, err := readForm(w, r)
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, err.Error())
		return
	}
	c, notes := ParseConfig(q)
	if c.Data == "csv" {
		// A link cannot carry an uploaded file.
		def := DefaultConfig().Data
		notes = append(notes, fmt.Sprintf("data=csv: a link does not carry the uploaded file: using %s until the file is uploaded again", def))
		c.Data = def
	}
	ss, err := newSession(s.ctx, newID(), c)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "cannot build the network: "+err.Error())
		return
	}
	if err := s.add(ss); err != nil {
		ss.cancel()
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("the playground already holds %d sessions, each with its page open: close one of those tabs and reload", s.opts.MaxSessions))
		return
	}
	s.logf("session %s started: %s", shortID(ss.id), c.Encode())
	ss.mu.Lock()
	rep := ss.reply()
	ss.mu.Unlock()
	rep.Notes = notes
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) withSession(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss := s.get(r.PathValue("id"))
		if ss == nil {
			writeError(w, http.StatusNotFound, fmt.Sprintf("this session has ended: the server restarted, or its page was away for longer than %s", s.opts.IdleTimeout))
			return
		}
		h(w, r, ss)
	}
}

// handleFrame returns the next frame. When nothing changed since version v,
// it waits up to a second for a change, so a paused page polls slowly
// without a timer of its own.
func (s *Server) handleFrame(w http.ResponseWriter, r *http.Request, ss *session) {
	q := r.URL.Query()
	v, _ := strconv.ParseUint(q.Get("v"), 10, 64)
	cv, _ := strconv.ParseUint(q.Get("cv"), 10, 64)
	dv, _ := strconv.ParseUint(q.Get("dv"), 10, 64)
	ss.mu.Lock()
	ss.touch()
	ss.watched = time.Now()
	if ss.version == v {
		if ss.changed == nil {
			ss.changed = make(chan struct{})
		}
		ch := ss.changed
		ss.mu.Unlock()
		t := time.NewTimer(longPoll)
		select {
		case <-ch:
		case <-t.C:
		case <-r.Context().Done():
		case <-ss.ctx.Done():
		}
		t.Stop()
		ss.mu.Lock()
	}
	f := ss.frame(cv, dv)
	ss.mu.Unlock()
	writeJSON(w, http.StatusOK, f)
}

func (s *Server) handleConfig(w http.ResponseWriter, r *http.Request, ss *session) {
	q, err := readForm(w, r)
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, err.Error())
		return
	}
	// Only values out of range are reported: the page sends whole set-ups
	// and relies on the server to make their parts agree (features of
	// other data, a preset whose network changed).
	c, notes := parseValues(q)
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.touch()
	if c.Data == "csv" && ss.upload == nil {
		notes = append(notes, fmt.Sprintf("data=csv: no file was uploaded to this session: keeping %s", ss.cfg.Data))
	}
	if err := ss.configure(c); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	rep := ss.reply()
	rep.Notes = notes
	writeJSON(w, http.StatusOK, rep)
}

// handleAction runs play, pause, step, reset, regenerate, perturb, close
// and heartbeat, which only says the page is still open.
func (s *Server) handleAction(w http.ResponseWriter, r *http.Request, ss *session) {
	action := r.PathValue("action")
	switch action {
	case "close":
		s.remove(ss.id)
		writeJSON(w, http.StatusOK, map[string]bool{"closed": true})
		return
	case "heartbeat":
		ss.mu.Lock()
		ss.touch()
		ss.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]bool{"alive": true})
		return
	}
	s.mu.Lock()
	s.seq++
	seed := s.seq
	s.mu.Unlock()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.touch()
	var err error
	switch action {
	case "play":
		ss.play()
	case "pause":
		ss.playing = false
		ss.bump()
	case "step":
		ss.step()
	case "reset":
		// New starting weights, as TensorFlow Playground draws them, unless
		// the page asks to replay the same run. The new seed goes into the
		// link, so the run stays reproducible.
		c := ss.cfg
		if !c.SameSeed {
			for c.Init == ss.cfg.initSeed() || c.Init == 0 {
				c.Init = 1 + mrand.Uint64N(999999)
			}
		}
		err = ss.rebuild(c, false)
	case "regenerate":
		c := ss.cfg
		c.Seed++
		c.Edits = nil
		err = ss.rebuild(c, true)
	case "perturb":
		ss.perturb(0.1, tensor.NewRNG(seed^uint64(time.Now().UnixNano())))
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("unknown command %q", action))
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, ss.reply())
}

func (s *Server) handleParam(w http.ResponseWriter, r *http.Request, ss *session) {
	var e Edit
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		writeError(w, http.StatusBadRequest, "want {\"layer\", \"bias\", \"row\", \"col\", \"value\"}: "+err.Error())
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.touch()
	if err := ss.edit(e); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, ss.reply())
}

// handleUpload takes a CSV as the request body and makes it the data.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request, ss *session) {
	limit := s.opts.MaxUploadBytes
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is larger than %s: the playground takes CSV files up to %s and %d rows", size(limit), size(limit), s.opts.MaxUploadRows))
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "cannot read the upload: "+err.Error())
		return
	}
	ds, err := parseUpload(b, uploadName(r.URL.Query().Get("name")), s.opts.MaxUploadRows)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	up := newUpload(ds)
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.touch()
	prev := ss.upload
	ss.upload = up
	c := ss.cfg
	c.Data, c.Preset, c.Edits = "csv", "", nil
	if err := ss.rebuild(c, true); err != nil {
		ss.upload = prev
		writeError(w, http.StatusBadRequest, "cannot train on this file: "+err.Error())
		return
	}
	rep := ss.reply()
	rep.Notice = fmt.Sprintf("Loaded %d rows.", ds.Len())
	if c.Standardize {
		rep.Notice += " Its columns are standardized (see under Data)."
	}
	writeJSON(w, http.StatusOK, rep)
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	if n >= 1<<10 {
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// parseUpload reads an uploaded CSV: inputs x1 and x2 (or x), and a label
// column (two classes) or a y column (values).
func parseUpload(b []byte, name string, maxRows int) (*data.Dataset, error) {
	hr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	header, err := hr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the file is empty: want a header row such as x1,x2,label")
		}
		return nil, fmt.Errorf("the file is not valid CSV: %v", err)
	}
	cols := map[string]bool{}
	for _, h := range header {
		cols[strings.TrimSpace(h)] = true
	}
	var opts data.CSVOptions
	switch {
	case cols["x1"] && cols["x2"]:
		opts.Features = []string{"x1", "x2"}
	case cols["x"]:
		opts.Features = []string{"x"}
	default:
		return nil, fmt.Errorf("the CSV needs input columns x1 and x2 (or x); its header has %s", listCols(header))
	}
	switch {
	case cols["label"]:
		opts.Label = "label"
	case cols["y"]:
		opts.Targets = []string{"y"}
	default:
		return nil, fmt.Errorf("the CSV needs a column label (two classes) or y (values to fit); its header has %s", listCols(header))
	}
	ds, err := data.ParseCSV(bytes.NewReader(b), name, opts)
	if err != nil {
		return nil, err
	}
	switch n := ds.Len(); {
	case n > maxRows:
		return nil, fmt.Errorf("the CSV has %d rows: the playground takes at most %d", n, maxRows)
	case n < 4:
		return nil, fmt.Errorf("the CSV has %d rows: want at least 4, to split into training and test points", n)
	}
	if ds.Labels != nil {
		if k := ds.NumClasses(); k != 2 {
			names := ds.Classes
			if names == nil {
				names = []string{}
				for i := range k {
					names = append(names, strconv.Itoa(i))
				}
			}
			return nil, fmt.Errorf("the label column has %d classes (%s): the playground shows two", k, strings.Join(trimList(names, 6), ", "))
		}
	}
	return ds, nil
}

// uploadName returns the file name the page reports, reduced to a short
// plain base name for messages.
func uploadName(name string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 60 {
		name = string(r[:60]) + "…"
	}
	if name == "" {
		return "the CSV"
	}
	return name
}

func listCols(header []string) string {
	if len(header) == 0 {
		return "no columns"
	}
	q := make([]string, 0, len(header))
	for _, h := range trimList(header, 8) {
		q = append(q, strconv.Quote(strings.TrimSpace(h)))
	}
	return strings.Join(q, ", ")
}

func trimList(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(slices.Clone(s[:n]), "…")
}
