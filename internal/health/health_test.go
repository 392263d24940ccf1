package health_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup/internal/health"
)

func TestReady(t *testing.T) {
	t.Parallel()
	up := func(context.Context) error { return nil }
	hang := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	tests := []struct {
		name       string
		checks     []health.Check
		wantStatus int
		want       []string
		notWant    []string
	}{
		{"all up", []health.Check{{"postgres", up}, {"temporal", up}}, 200, []string{"ok"}, nil},
		{"temporal hangs", []health.Check{{"postgres", up}, {"temporal", hang}}, 503,
			[]string{"temporal: unavailable: context deadline exceeded"}, []string{"postgres"}},
		{"both down", []health.Check{{"postgres", func(context.Context) error { return errors.New("dial tcp:\nrefused") }}, {"temporal", hang}}, 503,
			[]string{"postgres: unavailable: dial tcp: refused\n", "temporal: unavailable"}, nil},
	}
	for _, tt := range tests {
		start := time.Now()
		rec := httptest.NewRecorder()
		health.Ready(100*time.Millisecond, tt.checks...).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v: the timeout is not applied", tt.name, d)
		}
		body := rec.Body.String()
		if rec.Code != tt.wantStatus {
			t.Errorf("%s: status %d: %s", tt.name, rec.Code, body)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: body %q lacks %q", tt.name, body, w)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(body, w) {
				t.Errorf("%s: body %q names %q", tt.name, body, w)
			}
		}
	}
}

func TestLive(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	health.Live().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Fatalf("%d %q", rec.Code, rec.Body.String())
	}
}
