// Command user is the "user" service of the container-labs ch10 lab: a small HTTP API
// that keeps users in MySQL (MariaDB here) and caches them, and login tokens, in Redis.
//
// How it builds: Go 1.19 in GOPATH mode, standard library plus the two database
// drivers Debian packages (golang-github-go-sql-driver-mysql-dev and
// golang-github-gomodule-redigo-dev). There is no go.mod on purpose: nothing is
// downloaded, so the build works offline.
//
//	GO111MODULE=off GOPATH=/usr/share/gocode CGO_ENABLED=0 go build -o user .
//
// The image clabs/golang:1.19 is set up exactly like that, so `docker build` needs
// no network either.
//
// Configuration comes from the environment (see config below). The service does not
// wait for its stores before it starts: it listens at once, connects on first use,
// and GET /ready says whether Redis and MySQL answer right now.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// config is everything the service reads from its environment.
type config struct {
	Listen        string // LISTEN, default ":8080"
	RedisAddr     string // REDIS_ADDR, host:port, default "127.0.0.1:6379"
	MySQLAddr     string // MYSQL_ADDR, host:port, default "127.0.0.1:3306"
	MySQLUser     string // MYSQL_USER, default "root"
	MySQLPassword string // MYSQL_PASSWORD, no default: give it at run time
	MySQLDatabase string // MYSQL_DATABASE, default "user"
}

// getenv returns the variable's value, or fallback when it is unset or empty.
func getenv(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func loadConfig() config {
	return config{
		Listen:        getenv("LISTEN", ":8080"),
		RedisAddr:     getenv("REDIS_ADDR", "127.0.0.1:6379"),
		MySQLAddr:     getenv("MYSQL_ADDR", "127.0.0.1:3306"),
		MySQLUser:     getenv("MYSQL_USER", "root"),
		MySQLPassword: os.Getenv("MYSQL_PASSWORD"),
		MySQLDatabase: getenv("MYSQL_DATABASE", "user"),
	}
}

func main() {
	log.SetFlags(log.LstdFlags | log.LUTC)
	if err := run(loadConfig()); err != nil {
		log.Fatal(err)
	}
}

func run(cfg config) error {
	// `docker stop` sends SIGTERM (Ctrl-C sends SIGINT): both start a clean shutdown.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	// No connection is made here, and there is no sleep "until the database is up".
	// Both stores are dialled when first needed and redialled after a failure.
	st, err := newStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	go st.watch(ctx, 2*time.Second) // logs when a store becomes reachable or is lost

	srv := &http.Server{
		Addr:              cfg.Listen,
		Handler:           logRequests(newAPI(st).routes()),
		ReadHeaderTimeout: 5 * time.Second,
	}
	failed := make(chan error, 1)
	go func() {
		log.Printf("listening on %s; redis at %s, mysql at %s (user %s, database %s)",
			cfg.Listen, cfg.RedisAddr, cfg.MySQLAddr, cfg.MySQLUser, cfg.MySQLDatabase)
		failed <- srv.ListenAndServe()
	}()

	select {
	case err := <-failed: // e.g. the port is already taken
		return err
	case <-ctx.Done():
	}
	log.Printf("signal received: finishing the requests in flight (at most 10s)")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Printf("stopped")
	return nil
}

// statusRecorder remembers the status code and size of a response, for the log line.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// logRequests writes one line per request: client, method, path, status, size, time.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		log.Printf("%s %s %s %d %dB %s", r.RemoteAddr, r.Method, r.URL.Path,
			rec.status, rec.bytes, time.Since(start).Round(time.Microsecond))
	})
}
