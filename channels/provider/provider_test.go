package provider

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		" 7 ":                           7 * time.Second,
		"0":                             0,
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

func TestDo(t *testing.T) {
	var got *http.Request
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, body = r, string(b)
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, strings.Repeat("x", 100))
	}))
	defer srv.Close()
	for _, tt := range []struct {
		r           Request
		method      string
		contentType string
		body        string
	}{
		{Request{JSON: map[string]string{"a": "b"}, Header: Bearer("t")}, "POST", "application/json", `{"a":"b"}`},
		{Request{Raw: []byte(`{"c":1}`)}, "POST", "application/json", `{"c":1}`},
		{Request{Form: url.Values{"To": {"+1"}}}, "POST", "application/x-www-form-urlencoded", "To=%2B1"},
		{Request{Method: http.MethodGet}, "GET", "", ""},
	} {
		tt.r.URL, tt.r.Limit = srv.URL+"/send", 10
		a, err := Do(context.Background(), srv.Client(), tt.r)
		if err != nil {
			t.Fatal(err)
		}
		if got.Method != tt.method || got.Header.Get("Content-Type") != tt.contentType || body != tt.body ||
			got.Header.Get("Authorization") != tt.r.Header.Get("Authorization") {
			t.Errorf("%+v: sent %s %q %q %v", tt.r, got.Method, got.Header.Get("Content-Type"), body, got.Header)
		}
		if a.StatusCode != 503 || a.Status != "503 Service Unavailable" || len(a.Body) != 10 || a.OK() || !a.Busy() || a.RetryAfter() != 3*time.Second {
			t.Errorf("answer %+v", a)
		}
	}
}

func TestDoTransportErrorIsPlain(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	_, err := Do(context.Background(), http.DefaultClient, Request{URL: srv.URL + "/x?access_token=secret&a=b"})
	var se *followup.SendError
	if err == nil || errors.As(err, &se) {
		t.Fatalf("err = %v, want a plain error", err)
	}
	red := Redact(err, "access_token")
	if strings.Contains(red.Error(), "secret") || !strings.Contains(red.Error(), "REDACTED") || !strings.Contains(red.Error(), "a=b") {
		t.Errorf("Redact = %v", red)
	}
	if plain := errors.New("x"); Redact(plain, "access_token") != plain {
		t.Error("Redact changed an error without a URL")
	}
}

func TestClasses(t *testing.T) {
	h := http.Header{"Retry-After": {"9"}}
	for _, tt := range []struct {
		status int
		retry  []int
		class  followup.SendErrorClass
	}{
		{429, nil, followup.Retryable},
		{500, nil, followup.Retryable},
		{503, nil, followup.Retryable},
		{408, nil, followup.Permanent},
		{408, []int{408}, followup.Retryable},
		{400, nil, followup.Permanent},
		{404, []int{408}, followup.Permanent},
	} {
		se := Answer{StatusCode: tt.status, Header: h, At: time.Now()}.HTTPError("proxy page", tt.retry...)
		wantAfter := time.Duration(0)
		if tt.class == followup.Retryable {
			wantAfter = 9 * time.Second
		}
		if se.Class != tt.class || se.Code != "http_"+strconv.Itoa(tt.status) || se.Message != "proxy page" || se.RetryAfter != wantAfter {
			t.Errorf("%d %v: %+v", tt.status, tt.retry, se)
		}
	}
	if se := Permanent("no_recipient", "none"); se.Class != followup.Permanent || se.Code != "no_recipient" || se.Message != "none" {
		t.Errorf("Permanent = %+v", se)
	}
}

func TestSnippet(t *testing.T) {
	for in, want := range map[string]string{
		"  short \n":             "short",
		strings.Repeat("a", 200): strings.Repeat("a", 200),
		strings.Repeat("a", 201): strings.Repeat("a", 200) + "…",
		strings.Repeat("é", 150): strings.Repeat("é", 100) + "…",
	} {
		if got := Snippet([]byte(in)); got != want {
			t.Errorf("Snippet(%.20q…) = %.20q…", in, got)
		}
	}
}

func TestAPI(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	api := NewAPI(srv.URL+"/", "https://api.example", nil)
	if api.Base != srv.URL || api.HTTP != http.DefaultClient {
		t.Errorf("NewAPI = %+v", api)
	}
	if d := NewAPI("", "https://api.example/", nil); d.Base != "https://api.example" {
		t.Errorf("default base = %q", d.Base)
	}
	a, err := api.Do(context.Background(), Request{URL: "/v1/send?x=1", Header: Basic("AC1", "secret"), Form: url.Values{"To": {"+1"}}})
	if err != nil || !a.OK() || string(a.Body) != `{"ok":true}` {
		t.Fatalf("Do = %+v, %v", a, err)
	}
	user, pass, ok := got.BasicAuth()
	if got.URL.Path != "/v1/send" || got.URL.RawQuery != "x=1" || !ok || user != "AC1" || pass != "secret" {
		t.Errorf("sent %s %s with %q %q", got.URL.Path, got.URL.RawQuery, user, pass)
	}
}

func TestFreeText(t *testing.T) {
	refuse := func(m channels.Outbound) *followup.SendError {
		return FreeText(m, "SMS", "phone number", "an SMS needs a body")
	}
	for _, tt := range []struct {
		m             channels.Outbound
		code, message string
	}{
		{channels.Outbound{Mode: followup.ModeFreeText, Text: "x"}, "no_recipient", "the contact has no phone number"},
		{channels.Outbound{To: "+1", Mode: followup.ModeTemplate, Text: "x"}, "unsupported_mode", "SMS sends free text only, not template"},
		{channels.Outbound{To: "+1", Mode: followup.ModeFreeText}, "empty_text", "an SMS needs a body"},
	} {
		if se := refuse(tt.m); se == nil || se.Class != followup.Permanent || se.Code != tt.code || se.Message != tt.message {
			t.Errorf("%+v: %+v", tt.m, se)
		}
	}
	for _, m := range []channels.Outbound{{To: "+1", Mode: followup.ModeFreeText, Text: "x"}, {To: "+1", Text: "x"}} {
		if se := refuse(m); se != nil {
			t.Errorf("%+v refused: %+v", m, se)
		}
	}
}

func TestNewKeyed(t *testing.T) {
	if k, err := NewKeyed("line", "channel access token", "", "", "https://api.example", nil); k != nil || err == nil || err.Error() != "line: missing channel access token" {
		t.Errorf("without a token: %+v, %v", k, err)
	}
	k, err := NewKeyed("line", "channel access token", "t0k", "", "https://api.example/", nil)
	if err != nil || k.Token != "t0k" || k.Base != "https://api.example" || k.HTTP != http.DefaultClient {
		t.Errorf("NewKeyed = %+v, %v", k, err)
	}
	if hc := (&http.Client{}); Patient(hc) != hc || Patient(nil).Timeout != 30*time.Second {
		t.Error("Patient replaced a client, or gave one without a timeout")
	}
}
