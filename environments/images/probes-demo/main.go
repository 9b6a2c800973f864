// probes-demo: an HTTP server on port 3000 to practise liveness and readiness probes.
//
//	/health  200 OK until UNHEALTHY_AFTER seconds after start (default 30), then 500
//	/ready   200 once READY_AFTER seconds have passed since start (default 0), 503 before
//	/        a line of text saying who answers and how long it has been up
//
// UNHEALTHY_AFTER=-1 (any negative number) keeps /health at 200 for ever.
// Environment: PORT (default 3000), SHUTDOWN_DELAY (seconds to keep serving after
// SIGTERM before closing the listener, default 0). Serving, the access log and the
// graceful stop come from clabs.dev/labhttp (in clabs/golang); otherwise standard
// library only.
package main

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"clabs.dev/labhttp"
)

const program = "probes-demo"

var version = "2.0"

func main() {
	started := time.Now()
	unhealthyAfter := seconds("UNHEALTHY_AFTER", 30)
	readyAfter := seconds("READY_AFTER", 0)
	host, _ := os.Hostname()
	labhttp.Logger.Printf("%s %s: /health fails after %v, /ready answers after %v", program, version, unhealthyAfter, readyAfter)

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		labhttp.Text(w, http.StatusOK, fmt.Sprintf("probes-demo %s on %s, up %s\n", version, host,
			time.Since(started).Round(time.Second)))
	})
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if unhealthyAfter >= 0 && time.Since(started) >= unhealthyAfter {
			labhttp.Text(w, http.StatusInternalServerError, "unhealthy\n")
			return
		}
		labhttp.Text(w, http.StatusOK, "OK\n")
	})
	mux.HandleFunc("/ready", func(w http.ResponseWriter, r *http.Request) {
		if time.Since(started) < readyAfter {
			labhttp.Text(w, http.StatusServiceUnavailable, "not ready\n")
			return
		}
		labhttp.Text(w, http.StatusOK, "ready\n")
	})
	labhttp.Serve(program, version, "3000", mux)
}

// seconds reads a duration in seconds (decimals allowed) from the environment.
func seconds(name string, fallback float64) time.Duration {
	value := fallback
	if raw := os.Getenv(name); raw != "" {
		parsed, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			labhttp.Logger.Fatalf("%s=%q: not a number of seconds", name, raw)
		}
		value = parsed
	}
	return time.Duration(value * float64(time.Second))
}
