// probes-demo: an HTTP server on port 3000 to practise liveness and readiness probes.
//
//	/health  200 OK until UNHEALTHY_AFTER seconds after start (default 30), then 500
//	/ready   200 once READY_AFTER seconds have passed since start (default 0), 503 before
//	/        a line of text saying who answers and how long it has been up
//
// UNHEALTHY_AFTER=-1 (any negative number) keeps /health at 200 for ever.
// Environment: PORT (default 3000), SHUTDOWN_DELAY (seconds to keep serving after
// SIGTERM before closing the listener, default 0). Standard library only.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

const program = "probes-demo"

var version = "2.0"

var logger = log.New(os.Stdout, "", 0)

func main() {
	started := time.Now()
	unhealthyAfter := seconds("UNHEALTHY_AFTER", 30)
	readyAfter := seconds("READY_AFTER", 0)
	host, _ := os.Hostname()
	logger.Printf("%s %s: /health fails after %v, /ready answers after %v", program, version, unhealthyAfter, readyAfter)

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		text(w, http.StatusOK, fmt.Sprintf("probes-demo %s on %s, up %s\n", version, host,
			time.Since(started).Round(time.Second)))
	})
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if unhealthyAfter >= 0 && time.Since(started) >= unhealthyAfter {
			text(w, http.StatusInternalServerError, "unhealthy\n")
			return
		}
		text(w, http.StatusOK, "OK\n")
	})
	mux.HandleFunc("/ready", func(w http.ResponseWriter, r *http.Request) {
		if time.Since(started) < readyAfter {
			text(w, http.StatusServiceUnavailable, "not ready\n")
			return
		}
		text(w, http.StatusOK, "ready\n")
	})
	serve(":"+env("PORT", "3000"), mux)
}

// seconds reads a duration in seconds (decimals allowed) from the environment.
func seconds(name string, fallback float64) time.Duration {
	value := fallback
	if raw := os.Getenv(name); raw != "" {
		parsed, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			logger.Fatalf("%s=%q: not a number of seconds", name, raw)
		}
		value = parsed
	}
	return time.Duration(value * float64(time.Second))
}

func text(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
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
