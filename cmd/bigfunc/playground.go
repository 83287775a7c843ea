package main

import (
	"context"
	"fmt"
	"net"

	"github.com/bigfunc/bigfunc/playground"
)

func cmdPlayground(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "playground", "[--addr ADDR]", "serve the interactive playground page")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	if _, err := parseExact(fs, args); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usagef("playground: --addr %q: want host:port, such as 127.0.0.1:8080", *addr)
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
	srv := playground.NewServer(playground.Options{Hosts: hosts})
	fmt.Fprintf(e.stdout, "bigfunc playground: open %s (Ctrl-C to stop)\n", pageURL(ln.Addr()))
	if ip := net.ParseIP(host); host == "" || (ip != nil && !ip.IsLoopback()) || (ip == nil && host != "localhost") {
		fmt.Fprintf(e.stderr, "warning: listening on %s, which other machines may reach; the playground has no login\n", ln.Addr())
	}
	return srv.Serve(ctx, ln)
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
