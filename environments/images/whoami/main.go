// whoami: an HTTP server on port 8000 that answers with the container's hostname and
// addresses and the request it received. Standard library only.
//
// Environment: PORT (default 8000), SHUTDOWN_DELAY (seconds to keep serving after
// SIGTERM before closing the listener, default 0).
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var version = "1.0"

var logger = log.New(os.Stdout, "", 0)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", whoami)
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "OK")
	})
	serve(":"+env("PORT", "8000"), mux)
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
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, value := range r.Header[name] {
			fmt.Fprintf(&b, "%s: %s\n", name, value)
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Whoami-Version", version)
	fmt.Fprint(w, b.String())
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

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// serve runs the server until SIGTERM or SIGINT, then stops accepting connections and
// lets the requests in flight finish (at most 10 s), so a stop or a rolling update
// drops no request.
func serve(addr string, h http.Handler) {
	srv := &http.Server{Addr: addr, Handler: logRequests(h), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	failed := make(chan error, 1)
	go func() { failed <- srv.ListenAndServe() }()
	logger.Printf("whoami %s listening on %s", version, addr)
	select {
	case err := <-failed:
		logger.Fatalf("server: %v", err)
	case <-ctx.Done():
	}
	if delay, err := strconv.ParseFloat(os.Getenv("SHUTDOWN_DELAY"), 64); err == nil && delay > 0 {
		logger.Printf("signal received, serving %.1f s more", delay)
		time.Sleep(time.Duration(delay * float64(time.Second)))
	}
	logger.Printf("shutting down")
	done, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(done); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		logger.Printf("shutdown: %v", err)
	}
}

// recorder remembers the status and size of a response for the access log.
type recorder struct {
	http.ResponseWriter
	status, size int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	n, err := r.ResponseWriter.Write(p)
	r.size += n
	return n, err
}

// logRequests writes one line per request to standard output.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.Printf("%s %s %s %s %d %d %s", start.UTC().Format(time.RFC3339), r.RemoteAddr,
			r.Method, r.URL.RequestURI(), rec.status, rec.size, time.Since(start).Round(time.Microsecond))
	})
}
