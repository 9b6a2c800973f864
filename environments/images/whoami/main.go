// whoami: an HTTP server on port 8000 that answers with the container's hostname and
// addresses and the request it received.
//
// Environment: PORT (default 8000), SHUTDOWN_DELAY (seconds to keep serving after
// SIGTERM before closing the listener, default 0). Serving, the access log and the
// graceful stop come from clabs.dev/labhttp (in clabs/golang); otherwise standard
// library only.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	"clabs.dev/labhttp"
)

const program = "whoami"

var version = "1.0"

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", whoami)
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		labhttp.Text(w, http.StatusOK, "OK\n")
	})
	labhttp.Serve(program, version, "8000", mux)
}

func whoami(w http.ResponseWriter, r *http.Request) {
	host, _ := os.Hostname()
	var b strings.Builder
	fmt.Fprintf(&b, "Hostname: %s\n", host)
	for _, ip := range addresses() {
		fmt.Fprintf(&b, "IP: %s\n", ip)
	}
	fmt.Fprintf(&b, "RemoteAddr: %s\n", r.RemoteAddr)
	fmt.Fprintf(&b, "%s %s %s\n", r.Method, r.URL.RequestURI(), r.Proto)
	fmt.Fprintf(&b, "Host: %s\n", r.Host)
	for _, name := range labhttp.HeaderNames(r.Header) {
		for _, value := range r.Header[name] {
			fmt.Fprintf(&b, "%s: %s\n", name, value)
		}
	}
	w.Header().Set("X-Whoami-Version", version)
	labhttp.Text(w, http.StatusOK, b.String())
}

// addresses lists the container's IP addresses, loopback excluded.
func addresses() []string {
	var out []string
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return out
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() {
			out = append(out, n.IP.String())
		}
	}
	return out
}
