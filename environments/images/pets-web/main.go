// pets-web: the demo web front end of the pets application, on port 3000.
// "/" answers the title (as plain text), "/api/health" answers OK. The version and the
// title are set at build time:
//
//	go build -ldflags "-X main.version=2.1 -X 'main.title=Pets Demo Application v2'"
//
// Environment: PORT (default 3000), SHUTDOWN_DELAY (seconds to keep serving after
// SIGTERM before closing the listener, default 0). Serving, the access log and the
// graceful stop come from clabs.dev/labhttp (in clabs/golang); otherwise standard
// library only.
package main

import (
	"net/http"

	"clabs.dev/labhttp"
)

const program = "pets-web"

var (
	version = "2.0"
	title   = "Pets Demo Application"
)

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
	labhttp.Serve(program, version, "3000", mux)
}

// text answers body exactly, as plain text, with the version in X-App-Version.
func text(w http.ResponseWriter, status int, body string) {
	w.Header().Set("X-App-Version", version)
	labhttp.Text(w, status, body)
}
