package httplog_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/followup-dev/followup/internal/httplog"
)

func TestHandler(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/{channel}", func(w http.ResponseWriter, r *http.Request) {
		if httplog.RequestID(r.Context()) == "" {
			t.Error("no request id in the handler's context")
		}
		http.Error(w, "bad signature", http.StatusUnauthorized)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	var buf bytes.Buffer
	h := httplog.Handler(mux, slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})), "GET /healthz")

	tests := []struct {
		name, method, target, id string
		wantRoute                string
		wantStatus               int
		wantID                   string // "" means generated
		logged                   bool
	}{
		{"route pattern, incoming id", "POST", "/webhooks/telegram?token=s3cret", "abc-123", "POST /webhooks/{channel}", 401, "abc-123", true},
		{"insane id replaced", "POST", "/webhooks/line", "bad id\nlevel=ERROR", "POST /webhooks/{channel}", 401, "", true},
		{"too long id replaced", "POST", "/webhooks/line", strings.Repeat("a", 65), "POST /webhooks/{channel}", 401, "", true},
		{"unmatched", "GET", "/nope/42", "", "unmatched", 404, "", true},
		{"quiet probe at debug", "GET", "/healthz", "probe-1", "GET /healthz", 200, "probe-1", false},
	}
	for _, tt := range tests {
		buf.Reset()
		req := httptest.NewRequest(tt.method, tt.target, nil)
		if tt.id != "" {
			req.Header.Set(httplog.Header, tt.id)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		gotID := rec.Header().Get(httplog.Header)
		if tt.wantID != "" && gotID != tt.wantID || tt.wantID == "" && (len(gotID) != 24 || gotID == tt.id) {
			t.Errorf("%s: response id %q", tt.name, gotID)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if !tt.logged {
			if buf.Len() != 0 {
				t.Errorf("%s: logged at info: %s", tt.name, buf.String())
			}
			continue
		}
		if len(lines) != 1 {
			t.Fatalf("%s: %d lines: %s", tt.name, len(lines), buf.String())
		}
		var rec2 map[string]any
		if err := json.Unmarshal([]byte(lines[0]), &rec2); err != nil {
			t.Fatalf("%s: not JSON: %v: %s", tt.name, err, lines[0])
		}
		if rec2["request_id"] != gotID || rec2["route"] != tt.wantRoute || rec2["status"] != float64(tt.wantStatus) ||
			rec2["method"] != tt.method || rec2["level"] != "INFO" || rec2["msg"] != "http request" {
			t.Errorf("%s: %s", tt.name, lines[0])
		}
		if _, ok := rec2["duration_ms"].(float64); !ok {
			t.Errorf("%s: no duration_ms: %s", tt.name, lines[0])
		}
		if strings.Contains(lines[0], "s3cret") || strings.Contains(lines[0], "telegram") {
			t.Errorf("%s: raw path or query logged: %s", tt.name, lines[0])
		}
	}
}
