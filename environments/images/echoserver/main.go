// echoserver: an HTTP server on port 8080 that answers every request with a plain-text
// description of it: the serving hostname, the client address, the method, path and
// query, the headers and the size of the body.
//
// Environment: PORT (default 8080), SHUTDOWN_DELAY (seconds to keep serving after
// SIGTERM before closing the listener, default 0). Serving, the access log and the
// graceful stop come from clabs.dev/labhttp (in clabs/golang); otherwise standard
// library only.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"clabs.dev/labhttp"
)

const program = "echoserver"

var version = "1.0"

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
		for _, name := range labhttp.HeaderNames(r.Header) {
			fmt.Fprintf(&b, "\t%s=%s\n", strings.ToLower(name), strings.Join(r.Header[name], ", "))
		}
		fmt.Fprintf(&b, "\nBody: %d bytes\n", body)
		labhttp.Text(w, http.StatusOK, b.String())
	})
	labhttp.Serve(program, version, "8080", mux)
}
