// pets-web: the demo web front end of the pets application, on port 3000.
// "/" answers the title (as plain text), "/api/health" answers OK. The version and the
// title are set at build time:
//
//	go build -ldflags "-X main.version=2.1 -X 'main.title=Pets Demo Application v2'"
//
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

const program = "pets-web"

var (
	version = "2.0"
	title   = "Pets Demo Application"
)

var logger = log.New(os.Stdout, "", 0)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		text(w, http.StatusOK, title)
	})
	mux.HandleFunc("/api/health", func(w http.ResponseWriter, r *http.Request) {
		text(w, http.StatusOK, "OK")
	})
	mux.HandleFunc("/api/version", func(w http.ResponseWriter, r *http.Request) {
		text(w, http.StatusOK, version)
	})
	serve(":"+env("PORT", "3000"), mux)
}

// text answers body exactly, as plain text.
func text(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-App-Version", version)
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
