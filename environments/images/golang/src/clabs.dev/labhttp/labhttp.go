// Package labhttp is the HTTP-server plumbing shared by the Go programs of the lab
// images (clabs/whoami, clabs/pets-web, clabs/probes-demo, clabs/echoserver): serving
// on $PORT with one access-log line per request on standard output, and a graceful
// stop on SIGTERM or SIGINT that honours $SHUTDOWN_DELAY. Each program keeps only
// its handlers. Standard library only; clabs/golang has it in GOPATH at
// /go/src/clabs.dev/labhttp, so a build needs no network.
package labhttp

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// Logger writes bare lines (no prefix, no timestamp) to standard output.
var Logger = log.New(os.Stdout, "", 0)

// Serve serves h on the port in $PORT (defaultPort when unset or empty), logging every
// request, until SIGTERM or SIGINT. Then, after $SHUTDOWN_DELAY seconds (decimals
// allowed, default 0) of serving on, it stops accepting connections and lets the
// requests in flight finish (at most 10 s), so a stop or a rolling update drops no
// request. It exits the program with status 1 when the server cannot listen.
func Serve(program, version, defaultPort string, h http.Handler) {
	port := os.Getenv("PORT")
	if port == "" {
		port = defaultPort
	}
	addr := ":" + port
	srv := &http.Server{Addr: addr, Handler: logRequests(h), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	failed := make(chan error, 1)
	go func() { failed <- srv.ListenAndServe() }()
	Logger.Printf("%s %s listening on %s", program, version, addr)
	select {
	case err := <-failed:
		Logger.Fatalf("server: %v", err)
	case <-ctx.Done():
	}
	if delay, err := strconv.ParseFloat(os.Getenv("SHUTDOWN_DELAY"), 64); err == nil && delay > 0 {
		Logger.Printf("signal received, serving %.1f s more", delay)
		time.Sleep(time.Duration(delay * float64(time.Second)))
	}
	Logger.Printf("shutting down")
	done, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(done); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		Logger.Printf("shutdown: %v", err)
	}
}

// Text answers body exactly, as plain text, with the status given. Headers set on w
// before the call are sent too.
func Text(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// HeaderNames lists the names in h, sorted, for a stable description of a request.
func HeaderNames(h http.Header) []string {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
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

// logRequests writes one line per request to standard output: the start time (UTC),
// the client address, the method, the request URI, the status, the body size and
// how long the answer took.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		Logger.Printf("%s %s %s %s %d %d %s", start.UTC().Format(time.RFC3339), r.RemoteAddr,
			r.Method, r.URL.RequestURI(), rec.status, rec.size, time.Since(start).Round(time.Microsecond))
	})
}
