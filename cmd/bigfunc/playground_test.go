package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer that one goroutine may write while another
// reads.
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

// runPlayground runs the command in-process, as run does once the command is
// registered, and returns its exit status and streams.
func runPlayground(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	err := cmdPlayground(ctx, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}, args)
	code = exitCode(err, &errb)
	return code, out.String(), errb.String()
}

func TestPlaygroundServesAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- cmdPlayground(ctx, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}, []string{"--addr", "127.0.0.1:0"})
	}()
	urlRE := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == ""; {
		url = urlRE.FindString(out.String())
		select {
		case err := <-done:
			t.Fatalf("playground returned before serving: %v\nstdout %s\nstderr %s", err, out.String(), errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "bigfunc playground") {
		t.Errorf("GET %s: %d\n%.300s", url, resp.StatusCode, page)
	}
	resp, err = http.Post(url+"api/sessions", "application/x-www-form-urlencoded", strings.NewReader("data=spiral"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("create session: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", url+"api/sessions", nil)
	req.Header.Set("Origin", "http://evil.example")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST: %d, want 403", resp.StatusCode)
	}
	if strings.Contains(errb.String(), "warning") {
		t.Errorf("loopback address warned: %s", errb.String())
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("playground did not stop within 10 s of cancellation")
	}
	if _, err := http.Get(url); err == nil {
		t.Error("still serving after shutdown")
	}
}

func TestPlaygroundUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--addr", "nonsense"}, "want host:port"},
		{[]string{"--port", "80"}, "unknown flag --port"},
	} {
		code, _, errs := runPlayground(context.Background(), tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 2 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	code, out, _ := runPlayground(context.Background(), "--help")
	if code != 0 || !strings.Contains(out, "--addr") || !strings.Contains(out, "127.0.0.1:8080") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, errs := runPlayground(context.Background(), "--addr", ln.Addr().String())
	if code != 1 || !strings.Contains(errs, "--addr 127.0.0.1:0") || strings.Count(errs, "\n") != 1 {
		t.Errorf("busy port: exit %d, stderr %q", code, errs)
	}
}

// startPlayground runs the command until the returned stop is called and
// returns the page's URL and the command's streams.
func startPlayground(t *testing.T, args ...string) (url string, out, errb *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb = &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- cmdPlayground(ctx, &env{stdin: strings.NewReader(""), stdout: out, stderr: errb}, args)
	}()
	urlRE := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
	for deadline := time.Now().Add(10 * time.Second); url == ""; {
		url = urlRE.FindString(out.String())
		select {
		case err := <-done:
			cancel()
			t.Fatalf("playground returned before serving: %v\nstderr %s", err, errb.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no URL printed: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return url, out, errb, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}
}

func TestPlaygroundWarningNamesAskedAddress(t *testing.T) {
	url, _, errb, stop := startPlayground(t, "--addr", "0.0.0.0:0", "--quiet")
	stop()
	port := regexp.MustCompile(`:(\d+)/$`).FindStringSubmatch(url)[1]
	want := "warning: listening on 0.0.0.0:" + port + " (every network interface)"
	if !strings.Contains(errb.String(), want) {
		t.Errorf("stderr %q, want %q", errb.String(), want)
	}
}

func TestPlaygroundLogsUnlessQuiet(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		args := []string{"--addr", "127.0.0.1:0", "--idle-timeout", "5m"}
		if quiet {
			args = append(args, "--quiet")
		}
		url, _, errb, stop := startPlayground(t, args...)
		resp, err := http.Post(url+"api/sessions/nope/play", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		resp, err = http.Get(url + "api/meta")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		stop()
		logged := errb.String()
		if !strings.Contains(string(b), `"idleTimeout":"5m0s"`) {
			t.Errorf("--idle-timeout 5m: meta says %s", b)
		}
		hasLog := regexp.MustCompile(`POST /api/sessions/nope/play 404 \S+: this session has ended`).MatchString(logged) && strings.Contains(logged, "GET /api/meta 200")
		if quiet && logged != "" || !quiet && !hasLog {
			t.Errorf("quiet %v: stderr\n%s", quiet, logged)
		}
	}
	code, _, errs := runPlayground(context.Background(), "--idle-timeout", "-1s")
	if code != 2 || !strings.Contains(errs, "want a positive duration") {
		t.Errorf("--idle-timeout -1s: exit %d, stderr %q", code, errs)
	}
}
