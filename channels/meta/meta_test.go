package meta

import (
	"net/http"
	"testing"
	"time"

	"github.com/followup-dev/followup"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		"-5":                            0,
		"soon":                          0,
		"Sun, 01 Mar 2026 12:01:00 GMT": time.Minute,
		"Sun, 01 Mar 2026 11:00:00 GMT": 0,
	} {
		h := http.Header{}
		if v != "" {
			h.Set("Retry-After", v)
		}
		if got := RetryAfter(h, now); got != want {
			t.Errorf("Retry-After %q = %v, want %v", v, got, want)
		}
	}
}

func TestSendError(t *testing.T) {
	tests := []struct {
		status int
		body   string
		class  followup.SendErrorClass
		code   string
	}{
		{400, `{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100}}`, followup.Permanent, "100"},
		{400, `{"error":{"message":"(#613) Calls exceeded","code":613}}`, followup.Retryable, "613"},
		// A 5xx is Meta's outage whatever code it carries.
		{503, `{"error":{"message":"(#100) odd","code":100}}`, followup.Retryable, "100"},
		{502, `<html>bad gateway</html>`, followup.Retryable, "http_502"},
		{404, ``, followup.Permanent, "http_404"},
	}
	for _, tt := range tests {
		se := SendError(Response{Status: tt.status, Header: http.Header{}, Body: []byte(tt.body)}, nil)
		if se.Class != tt.class || se.Code != tt.code || se.Message == "" {
			t.Errorf("%d %s: %+v", tt.status, tt.body, se)
		}
	}
}
