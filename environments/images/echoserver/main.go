// echoserver: an HTTP server on port 8080 that answers every request with a plain-text
// description of it: the serving hostname, the client address, the method, path and
// query, the headers and the size of the body.
//
// Environment: PORT (default 8080), SHUTDOWN_DELAY (seconds to keep serving after
// SIGTERM before closing the listener, default 0). Standard library only.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const program = "echoserver"

var version = "1.0"

var logger = log.New(os.Stdout, "", 0)

func main() {
	host, _ := os.Hostname()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.Copy(io.Discard, io.LimitReader(r.Body, 10<<20))
		var b strings.Builder
		fmt.Fprintf(&b, "Hostname: %s\n\n", host)
		fmt.Fprintf(&b, "Request:\n")
		fmt.Fprintf(&b, "\tclient_address=%s\n", r.RemoteAddr)
		fmt.Fprintf(&b, "\tmethod=%s\n", r.Method)
		fmt.Fprintf(&b, "\tpath=%s\n", r.URL.Path)
		fmt.Fprintf(&b, "\tquery=%s\n", r.URL.RawQuery)
		fmt.Fprintf(&b, "\trequest_version=%s\n", r.Proto)
		fmt.Fprintf(&b, "\trequest_uri=%s\n\n", r.URL.RequestURI())
		fmt.Fprintf(&b, "Headers:\n")
		fmt.Fprintf(&b, "\thost=%s\n", r.Host)
		names := make([]string, 0, len(r.Header))
		for name := range r.Header {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fmt.Fprintf(&b, "\t%s=%s\n", strings.ToLower(name), strings.Join(r.Header[name], ", "))
		}
		fmt.Fprintf(&b, "\nBody: %d bytes\n", body)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, b.String())
	})
	serve(":"+env("PORT", "8080"), mux)
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
	logger.Printf("%s %s listening on %s", program, version, addr)
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
