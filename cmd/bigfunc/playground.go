package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"strconv"

	"github.com/bigfunc/bigfunc/playground"
)

func cmdPlayground(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "playground", "[--addr ADDR]", "serve the interactive playground page")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	idle := fs.Duration("idle-timeout", playground.DefaultIdleTimeout, "end a session whose page has not been heard from for this long\n(an open page, even a hidden tab, is heard from every 30s or sooner)")
	quiet := fs.Bool("quiet", false, "do not log requests and errors to stderr")
	if _, err := parseExact(fs, args); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usagef("playground: --addr %q: want host:port, such as 127.0.0.1:8080", *addr)
	}
	if *idle <= 0 {
		return usagef("playground: --idle-timeout %v: want a positive duration, such as 30m", *idle)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("playground: %v (is another playground running? try --addr 127.0.0.1:0 for a free port)", err)
	}
	var hosts []string
	if host != "" && net.ParseIP(host) == nil {
		// A host name given on purpose may appear in the Host header.
		hosts = append(hosts, host)
	}
	opts := playground.Options{Hosts: hosts, IdleTimeout: *idle}
	if !*quiet {
		opts.Log = log.New(e.stderr, "playground: ", log.LstdFlags)
	}
	srv := playground.NewServer(opts)
	fmt.Fprintf(e.stdout, "bigfunc playground: open %s (Ctrl-C to stop)\n", pageURL(ln.Addr()))
	if ip := net.ParseIP(host); host == "" || (ip != nil && !ip.IsLoopback()) || (ip == nil && host != "localhost") {
		fmt.Fprintf(e.stderr, "warning: listening on %s, which other machines may reach; the playground has no login\n", askedAddr(host, ln.Addr()))
	}
	return srv.Serve(ctx, ln)
}

// askedAddr names the address listened on as it was asked for, with the
// port actually bound: "0.0.0.0:8080" rather than the "[::]:8080" the
// listener reports for a wildcard, and "every interface" for an empty host.
func askedAddr(host string, a net.Addr) string {
	port := ""
	if tcp, ok := a.(*net.TCPAddr); ok {
		port = strconv.Itoa(tcp.Port)
	} else if _, p, err := net.SplitHostPort(a.String()); err == nil {
		port = p
	}
	if host == "" {
		return ":" + port + " (every network interface)"
	}
	s := net.JoinHostPort(host, port)
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		s += " (every network interface)"
	}
	return s
}

// pageURL returns the address to open in a browser: a wildcard listener
// is reached through loopback.
func pageURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String() + "/"
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port)) + "/"
}
