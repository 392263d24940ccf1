// Package httplog logs one line per HTTP request: its id, method, route
// pattern, status and duration. It never logs the raw path (which holds
// ids), the query string (which can hold tokens), headers or bodies.
package httplog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

// Header carries a request's id: taken from the caller (a proxy or load
// balancer) when sane, else generated, and always sent back.
const Header = "X-Request-Id"

type ctxKey struct{}

// RequestID is the id of the request ctx belongs to ("" outside one).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Handler wraps mux, a ServeMux (or anything that sets Request.Pattern),
// logging each request at info on log. Requests whose route is in quiet
// (health probes, scrapes) are logged at debug when they succeed, so a
// probe every few seconds does not drown the log.
func Handler(mux http.Handler, log *slog.Logger, quiet ...string) http.Handler {
	q := map[string]bool{}
	for _, p := range quiet {
		q[p] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(Header)
		if !sane(id) {
			id = newID()
		}
		w.Header().Set(Header, id)
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, id))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			// ServeMux sets Pattern on the request it was given: r.
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			level := slog.LevelInfo
			if q[r.Pattern] && status < 400 {
				level = slog.LevelDebug
			}
			log.LogAttrs(r.Context(), level, "http request",
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			)
		}()
		mux.ServeHTTP(sw, r)
	})
}

// sane accepts an incoming id of 1–64 characters from [A-Za-z0-9._:-]:
// enough for UUIDs and the ids proxies generate, nothing that could forge
// a log line.
func sane(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// statusWriter records the status a handler sent.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (Flush,
// deadlines) through the wrapper.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
