// Package health serves liveness and readiness.
//
// Liveness (/healthz) says the process answers HTTP; it checks no
// dependency, so an orchestrator never restarts a healthy process because
// Postgres or Temporal is down (which a restart cannot fix). Readiness
// (/readyz) checks each dependency with a short timeout and names the ones
// that are down, so a load balancer or `docker compose` holds traffic back.
package health

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Check is one dependency readiness depends on.
type Check struct {
	// Name is how the body names it: "postgres", "temporal".
	Name string
	// Probe returns nil when the dependency answers; it must honour ctx.
	Probe func(ctx context.Context) error
}

// Live answers 200 "ok" whenever the process serves HTTP.
func Live() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
}

// Ready runs every check at once, each with timeout, and answers 200 "ok"
// or 503 with one line per failed check ("temporal: unavailable: …").
// The cause is the client library's error message: it names an address
// and a condition, never a credential.
func Ready(timeout time.Duration, checks ...Check) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		errs := make([]error, len(checks))
		var wg sync.WaitGroup
		for i, c := range checks {
			wg.Go(func() { errs[i] = c.Probe(ctx) })
		}
		wg.Wait()
		var down []string
		for i, err := range errs {
			if err != nil {
				down = append(down, fmt.Sprintf("%s: unavailable: %s", checks[i].Name, oneLine(err)))
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if len(down) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, strings.Join(down, "\n"))
			return
		}
		fmt.Fprintln(w, "ok")
	})
}

func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
