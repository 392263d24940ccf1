package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestServeReadinessAndRequestLog runs `followup serve` against a Temporal
// address where nothing listens (serve's client connects lazily, so it
// starts): liveness answers 200, readiness 503 naming Temporal and not
// Postgres, and with LOG_FORMAT=json every line on stderr is a JSON object,
// one per request, carrying the request's id and route pattern.
func TestServeReadinessAndRequestLog(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	port := freePort(t)
	env := map[string]string{
		"DATABASE_URL":     c.env["DATABASE_URL"],
		"HTTP_ADDR":        "127.0.0.1:" + strconv.Itoa(port),
		"TEMPORAL_ADDRESS": "127.0.0.1:" + strconv.Itoa(freePort(t)), // nothing listens
		"LOG_FORMAT":       "json",
		"LOG_LEVEL":        "info",
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stdout, stderr syncBuffer
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
	}()
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	get := func(path, id string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		if id != "" {
			req.Header.Set("X-Request-Id", id)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v\n%s%s", path, err, stdout.String(), stderr.String())
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if id != "" && resp.Header.Get("X-Request-Id") != id {
			t.Errorf("GET %s: X-Request-Id %q, want %q", path, resp.Header.Get("X-Request-Id"), id)
		}
		return resp.StatusCode, string(b)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stdout.String(), "serving on"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve not up:\n%s%s", stdout.String(), stderr.String())
		}
	}
	if code, body := get("/healthz", ""); code != 200 || body != "ok\n" {
		t.Errorf("healthz with Temporal down: %d %q, want 200 ok", code, body)
	}
	start := time.Now()
	code, body := get("/readyz", "ready-probe-1")
	if code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "temporal: unavailable") || strings.Contains(body, "postgres") {
		t.Errorf("readyz with Temporal down: %d %q, want 503 naming temporal only", code, body)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("readyz took %v", d)
	}
	get("/webhooks/telegram?token=s3cret", "hook-2")

	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d:\n%s%s", code, stdout.String(), stderr.String())
	}
	byID := map[string][]map[string]any{}
	for _, line := range strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("LOG_FORMAT=json wrote a line that is not JSON: %v\n%s", err, line)
		}
		for _, k := range []string{"time", "level", "msg"} {
			if _, ok := m[k]; !ok {
				t.Errorf("no %q in %s", k, line)
			}
		}
		if id, ok := m["request_id"].(string); ok {
			byID[id] = append(byID[id], m)
		}
		if strings.Contains(line, "s3cret") {
			t.Errorf("a query string reached the log: %s", line)
		}
	}
	for id, route := range map[string]string{"ready-probe-1": "GET /readyz", "hook-2": "/webhooks/{channel}"} {
		lines := byID[id]
		if len(lines) != 1 {
			t.Errorf("request %s: %d log lines, want 1:\n%s", id, len(lines), stderr.String())
			continue
		}
		if l := lines[0]; l["route"] != route || l["method"] != "GET" || l["msg"] != "http request" || l["level"] != "INFO" {
			t.Errorf("request %s: %v", id, l)
		}
	}
	if _, ok := byID["ready-probe-1"][0]["status"]; ok && byID["ready-probe-1"][0]["status"] != float64(503) {
		t.Errorf("readyz logged status %v", byID["ready-probe-1"][0]["status"])
	}
}
