// loadgen: an HTTP traffic generator that counts the requests a service fails, e.g.
// during a rolling update. Standard library only.
//
//	loadgen -url http://NAME:PORT/PATH [-concurrency 4] [-rate 0] [-timeout 2s] [-duration 0]
//
// Each of -concurrency workers sends requests back to back (-rate caps the total per
// second, 0 = no cap) until SIGTERM/SIGINT or the end of -duration (0 = no end). Every
// request resolves the host again (so "tasks.web" follows the tasks as they change),
// starts at the next address round robin, and on a connection error tries the next
// address, as curl does (each address gets an equal share of the time left). Keep-alives
// are off: one connection per request, so requests spread over the addresses.
//
// A request fails when the name does not resolve, no address accepts the connection,
// the status is not 2xx, reading the body fails, or -timeout passes. Durations take Go
// syntax (2s, 500ms) or a number of seconds. After a signal or -duration no request
// starts; those in flight end (within -timeout), then the summary is printed, exit 0.
//
// Error kinds, without addresses: "resolve: no such host", "resolve: timeout",
// "connect: connection refused", "connect: no route to host", "connect: timeout",
// "request: connection reset by peer", "request: EOF", "request: timeout",
// "status 500", "read body: unexpected EOF", ...
//
// Standard output, one JSON object per line:
//
//	{"event":"first-answer","seconds":0.012,"answer":"v1"}          the first success
//	{"event":"summary","requests":N,"failed":F,"seconds":S,"rate":N/S,
//	 "p50_ms":..,"p99_ms":..,"max_ms":..,"errors":{..},"answers":{..},"failed_at":[..]}
//	{"event":"error","message":"..."}                               bad flags, exit 2
//
// Percentiles are exact (nearest rank) over the successful requests, null when there
// is none. errors and answers hold at most 10 kinds each (the 9 most frequent and
// "other" when there are more), so they always add up to failed and requests-failed.
// failed_at has the start times (seconds since the start) of the first 20 failures.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"
)

const (
	maxKinds    = 10
	maxFailedAt = 20
	maxAnswer   = 40
	maxBody     = 1 << 20
)

var (
	stdout   = bufio.NewWriter(os.Stdout)
	stdoutMu sync.Mutex
)

// emit writes one JSON line to standard output, flushed at once.
func emit(v interface{}) {
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false) // answers are often HTML: keep "<!DOCTYPE html>" readable
	if err := enc.Encode(v); err != nil {
		line.Reset()
		fmt.Fprintf(&line, "{\"event\":\"error\",\"message\":%q}\n", err.Error())
	}
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	stdout.Write(line.Bytes())
	stdout.Flush()
}

// --- flags ----------------------------------------------------------------------------

// seconds is a duration flag that also takes a bare number of seconds ("2" = "2s").
type seconds struct{ d *time.Duration }

func (s seconds) String() string {
	if s.d == nil {
		return ""
	}
	return s.d.String()
}

func (s seconds) Set(text string) error {
	if d, err := time.ParseDuration(text); err == nil {
		*s.d = d
		return nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("not a duration (e.g. 2s, 500ms, 1.5)")
	}
	*s.d = time.Duration(f * float64(time.Second))
	return nil
}

type config struct {
	target      *url.URL
	host, port  string
	concurrency int
	rate        float64
	timeout     time.Duration
	duration    time.Duration
}

const usage = "usage: loadgen -url http://NAME:PORT/PATH [-concurrency N] [-rate R] [-timeout D] [-duration D]"

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := &config{timeout: 2 * time.Second}
	rawURL := fs.String("url", "", "the URL to request (required)")
	fs.IntVar(&cfg.concurrency, "concurrency", 4, "workers, each sending requests back to back")
	fs.Float64Var(&cfg.rate, "rate", 0, "total requests per second at most (0: no cap)")
	fs.Var(seconds{&cfg.timeout}, "timeout", "time limit of one request")
	fs.Var(seconds{&cfg.duration}, "duration", "run this long (0: until SIGTERM or SIGINT)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errors.New(usage)
		}
		return nil, fmt.Errorf("%v; %s", err, usage)
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q; %s", fs.Arg(0), usage)
	case *rawURL == "":
		return nil, fmt.Errorf("-url is required; %s", usage)
	case cfg.concurrency < 1:
		return nil, fmt.Errorf("-concurrency must be at least 1, not %d", cfg.concurrency)
	case cfg.rate < 0 || math.IsNaN(cfg.rate) || math.IsInf(cfg.rate, 0):
		return nil, fmt.Errorf("-rate must be a number >= 0 (0: no cap), not %v", cfg.rate)
	case cfg.timeout <= 0:
		return nil, fmt.Errorf("-timeout must be more than 0, not %v", cfg.timeout)
	case cfg.duration < 0:
		return nil, fmt.Errorf("-duration must be 0 (until a signal) or more, not %v", cfg.duration)
	}
	u, err := url.Parse(*rawURL)
	if err != nil {
		return nil, fmt.Errorf("-url %q: %v", *rawURL, err)
	}
	if u.Scheme != "http" || u.Hostname() == "" {
		return nil, fmt.Errorf("-url %q: must be http://HOST[:PORT][/PATH]", *rawURL)
	}
	cfg.target, cfg.host, cfg.port = u, u.Hostname(), u.Port()
	if cfg.port == "" {
		cfg.port = "80"
	}
	return cfg, nil
}

// --- one request ------------------------------------------------------------------------

// failure is a failed request, with a short text that does not depend on addresses, so
// that equal failures are counted together.
type failure struct{ kind string }

func (f *failure) Error() string { return f.kind }

// attempt is what dial needs to know about a request, and what it found out.
type attempt struct {
	addrs     []string                // host:port, resolved for this request
	failed    atomic.Pointer[failure] // why no address could be connected to (set by dial)
	connected atomic.Bool             // set by dial
}

type attemptKey struct{}

var rotation uint64 // the starting address of the next request, round robin

// dialer connects to the addresses the request context carries, starting with the next
// one round robin and trying the others on a connection error. Each attempt gets an
// equal share of the time left (as curl does), so one black-holed address does not use
// up the whole request.
func dial(ctx context.Context, network, _ string) (net.Conn, error) {
	state, _ := ctx.Value(attemptKey{}).(*attempt)
	if state == nil || len(state.addrs) == 0 {
		return nil, &failure{"connect: no address"}
	}
	addrs := state.addrs
	start := int(atomic.AddUint64(&rotation, 1) % uint64(len(addrs)))
	var last error
	for i := range addrs {
		one, cancel := ctx, context.CancelFunc(func() {})
		if deadline, ok := ctx.Deadline(); ok {
			share := time.Until(deadline) / time.Duration(len(addrs)-i)
			one, cancel = context.WithTimeout(ctx, share)
		}
		var d net.Dialer
		conn, err := d.DialContext(one, network, addrs[(start+i)%len(addrs)])
		cancel()
		if err == nil {
			state.connected.Store(true)
			return conn, nil
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	f := &failure{"connect: " + describe(last)}
	state.failed.Store(f)
	return nil, f
}

// describe is a short text for an error, without addresses.
func describe(err error) string {
	var dnsErr *net.DNSError
	var errno syscall.Errno
	var netErr net.Error
	switch {
	case err == nil:
		return "unknown error"
	case errors.As(err, &dnsErr):
		switch {
		case dnsErr.IsNotFound:
			return "no such host"
		case dnsErr.IsTimeout:
			return "timeout"
		}
		return dnsErr.Err
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected EOF"
	case errors.Is(err, io.EOF):
		return "EOF"
	case errors.As(err, &errno):
		return errno.Error()
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	}
	text := err.Error()
	if i := strings.LastIndex(text, ": "); i >= 0 {
		text = text[i+2:]
	}
	return clip(text, 60)
}

func clip(text string, limit int) string {
	if utf8.RuneCountInString(text) <= limit {
		return text
	}
	runes := []rune(text)
	return string(runes[:limit])
}

type generator struct {
	cfg    *config
	client *http.Client
	start  time.Time
	first  sync.Once
	mu     sync.Mutex
	stats  stats
}

type stats struct {
	requests, failed int
	latencies        []time.Duration
	errors, answers  map[string]int
	failedAt         []float64
}

// request sends one request; it returns the first line of the body, or a failure.
func (g *generator) request() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), g.cfg.timeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, g.cfg.host)
	if err != nil {
		return "", &failure{"resolve: " + describe(err)}
	}
	for i, a := range addrs {
		addrs[i] = net.JoinHostPort(a, g.cfg.port)
	}
	sort.Strings(addrs) // a stable order, so that the rotation visits each address in turn
	state := &attempt{addrs: addrs}
	req, err := http.NewRequestWithContext(context.WithValue(ctx, attemptKey{}, state), http.MethodGet,
		g.cfg.target.String(), nil)
	if err != nil {
		return "", &failure{"request: " + describe(err)}
	}
	resp, err := g.client.Do(req)
	if err != nil {
		if f := state.failed.Load(); f != nil { // the transport may report the deadline instead
			return "", f
		}
		if ctx.Err() != nil && !state.connected.Load() {
			return "", &failure{"connect: timeout"} // the deadline passed while dialing
		}
		if ctx.Err() != nil {
			return "", &failure{"request: timeout"}
		}
		return "", &failure{"request: " + describe(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", &failure{"status " + strconv.Itoa(resp.StatusCode)}
	}
	if err != nil {
		if ctx.Err() != nil {
			return "", &failure{"read body: timeout"}
		}
		return "", &failure{"read body: " + describe(err)}
	}
	line := body
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	return clip(strings.TrimSpace(string(line)), maxAnswer), nil
}

func (g *generator) record(began time.Time, latency time.Duration, answer string, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := &g.stats
	s.requests++
	if err != nil {
		s.failed++
		s.errors[err.Error()]++
		if len(s.failedAt) < maxFailedAt {
			s.failedAt = append(s.failedAt, round(began.Sub(g.start).Seconds(), 3))
		}
		return
	}
	s.latencies = append(s.latencies, latency)
	s.answers[answer]++
}

func (g *generator) worker(stop context.Context, pace *pacer, wg *sync.WaitGroup) {
	defer wg.Done()
	for stop.Err() == nil {
		if pace != nil && !pace.wait(stop) {
			return
		}
		began := time.Now()
		answer, err := g.request()
		latency := time.Since(began)
		if err == nil {
			g.first.Do(func() {
				emit(firstAnswer{"first-answer", round(time.Since(g.start).Seconds(), 3), answer})
			})
		}
		g.record(began, latency, answer, err)
	}
}

// pacer spaces the requests of all workers evenly: at most rate per second, no bursts.
type pacer struct {
	mu       sync.Mutex
	next     time.Time
	interval time.Duration
}

func (p *pacer) wait(stop context.Context) bool {
	p.mu.Lock()
	now := time.Now()
	slot := p.next
	if slot.Before(now) {
		slot = now
	}
	p.next = slot.Add(p.interval)
	p.mu.Unlock()
	if delay := time.Until(slot); delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-stop.Done():
			return false
		}
	}
	return stop.Err() == nil
}

// --- output -----------------------------------------------------------------------------

type firstAnswer struct {
	Event   string  `json:"event"`
	Seconds float64 `json:"seconds"`
	Answer  string  `json:"answer"`
}

type summary struct {
	Event    string         `json:"event"`
	Requests int            `json:"requests"`
	Failed   int            `json:"failed"`
	Seconds  float64        `json:"seconds"`
	Rate     float64        `json:"rate"`
	P50      *float64       `json:"p50_ms"`
	P99      *float64       `json:"p99_ms"`
	Max      *float64       `json:"max_ms"`
	Errors   map[string]int `json:"errors"`
	Answers  map[string]int `json:"answers"`
	FailedAt []float64      `json:"failed_at"`
}

type errorEvent struct {
	Event   string `json:"event"`
	Message string `json:"message"`
}

func round(x float64, digits int) float64 {
	scale := math.Pow(10, float64(digits))
	return math.Round(x*scale) / scale
}

// percentile is the nearest-rank percentile of sorted latencies, in milliseconds.
func percentile(sorted []time.Duration, q float64) *float64 {
	if len(sorted) == 0 {
		return nil
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	ms := round(float64(sorted[rank-1])/float64(time.Millisecond), 3)
	return &ms
}

// top keeps the maxKinds-1 most frequent kinds and folds the rest into "other".
func top(counts map[string]int) map[string]int {
	if len(counts) <= maxKinds {
		return counts
	}
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		if counts[kinds[i]] != counts[kinds[j]] {
			return counts[kinds[i]] > counts[kinds[j]]
		}
		return kinds[i] < kinds[j]
	})
	out := map[string]int{}
	for i, k := range kinds {
		if i < maxKinds-1 {
			out[k] = counts[k]
		} else {
			out["other"] += counts[k]
		}
	}
	return out
}

func (g *generator) summary() summary {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.stats
	elapsed := time.Since(g.start).Seconds()
	sort.Slice(s.latencies, func(i, j int) bool { return s.latencies[i] < s.latencies[j] })
	sort.Float64s(s.failedAt)
	rate := 0.0
	if elapsed > 0 {
		rate = round(float64(s.requests)/elapsed, 1)
	}
	return summary{
		Event: "summary", Requests: s.requests, Failed: s.failed,
		Seconds: round(elapsed, 3), Rate: rate,
		P50: percentile(s.latencies, 0.50), P99: percentile(s.latencies, 0.99), Max: percentile(s.latencies, 1),
		Errors: top(s.errors), Answers: top(s.answers), FailedAt: s.failedAt,
	}
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		emit(errorEvent{"error", err.Error()})
		os.Exit(2)
	}
	g := &generator{
		cfg: cfg,
		client: &http.Client{
			Transport: &http.Transport{
				Proxy:                 nil,
				DialContext:           dial,
				DisableKeepAlives:     true,
				DisableCompression:    true,
				ResponseHeaderTimeout: cfg.timeout,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		stats: stats{errors: map[string]int{}, answers: map[string]int{}, failedAt: []float64{}},
	}

	stop, cancel := context.WithCancel(context.Background())
	defer cancel()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		cancel()
	}()
	var pace *pacer
	if cfg.rate > 0 {
		pace = &pacer{interval: time.Duration(float64(time.Second) / cfg.rate)}
	}
	g.start = time.Now()
	if cfg.duration > 0 {
		time.AfterFunc(cfg.duration, cancel)
	}
	var wg sync.WaitGroup
	for i := 0; i < cfg.concurrency; i++ {
		wg.Add(1)
		go g.worker(stop, pace, &wg)
	}
	<-stop.Done()
	wg.Wait() // the requests in flight end within -timeout: each has its own deadline
	emit(g.summary())
	os.Exit(0)
}
