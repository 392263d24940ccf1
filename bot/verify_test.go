package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
)

// The worked example from Slack's "Verifying requests from Slack" page.
const (
	slackDocSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	slackDocTimestamp = "1531420618"
	slackDocBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	slackDocSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

const testSecret = "test-signing-secret"

var signedAt = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func verifierAt(t *testing.T, secret string, clock time.Time) *Verifier {
	t.Helper()
	v, err := NewVerifier(secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	v.now = func() time.Time { return clock }
	return v
}

// slackHeaders signs body the way Slack does, computed here independently of
// the code under test.
func slackHeaders(secret string, at time.Time, body string) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return h
}

func TestVerifySlackDocExample(t *testing.T) {
	t.Parallel()
	v := verifierAt(t, slackDocSecret, time.Unix(1531420618, 0).Add(30*time.Second))
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", slackDocTimestamp)
	h.Set("X-Slack-Signature", slackDocSignature)
	if err := v.Verify(context.Background(), h, []byte(slackDocBody)); err != nil {
		t.Fatalf("Slack's own example: %v", err)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	const body = "token=x&command=%2Ffollowup&text=send+42+hi"
	valid := slackHeaders(testSecret, signedAt, body)
	with := func(key, value string) http.Header {
		h := valid.Clone()
		if value == "" {
			h.Del(key)
		} else {
			h.Set(key, value)
		}
		return h
	}
	flip := func(sig string) string { // change the last hex digit
		last := sig[len(sig)-1]
		if last == '0' {
			return sig[:len(sig)-1] + "1"
		}
		return sig[:len(sig)-1] + "0"
	}
	tests := []struct {
		name   string
		clock  time.Time
		secret string
		h      http.Header
		body   string
		want   error
	}{
		{name: "valid", h: valid},
		{name: "valid 4m59s later", clock: signedAt.Add(4*time.Minute + 59*time.Second), h: valid},
		{name: "valid exactly 5m later", clock: signedAt.Add(5 * time.Minute), h: valid},
		{name: "valid 5m early (clock skew)", clock: signedAt.Add(-5 * time.Minute), h: valid},
		{name: "forged signature", h: with("X-Slack-Signature", flip(valid.Get("X-Slack-Signature"))), want: ErrBadSignature},
		{name: "signature of another body", h: with("X-Slack-Signature", slackHeaders(testSecret, signedAt, "other").Get("X-Slack-Signature")), want: ErrBadSignature},
		{name: "wrong secret", secret: "another-secret", h: valid, want: ErrBadSignature},
		{name: "body altered after signing", h: valid, body: strings.Replace(body, "hi", "hj", 1), want: ErrBadSignature},
		{name: "body with a byte appended", h: valid, body: body + "&", want: ErrBadSignature},
		{name: "timestamp changed after signing", h: with("X-Slack-Request-Timestamp", strconv.FormatInt(signedAt.Unix()+1, 10)), want: ErrBadSignature},
		{name: "stale: 6 minutes old", clock: signedAt.Add(6 * time.Minute), h: valid, want: ErrStaleTimestamp},
		{name: "stale: 6 minutes in the future", clock: signedAt.Add(-6 * time.Minute), h: valid, want: ErrStaleTimestamp},
		{name: "stale: 5m1s old", clock: signedAt.Add(5*time.Minute + time.Second), h: valid, want: ErrStaleTimestamp},
		{name: "stale: timestamp at the start of time", h: with("X-Slack-Request-Timestamp", "-9223372036854775808"), want: ErrStaleTimestamp},
		{name: "stale: timestamp at the end of time", h: with("X-Slack-Request-Timestamp", "9223372036854775807"), want: ErrStaleTimestamp},
		{name: "missing timestamp", h: with("X-Slack-Request-Timestamp", ""), want: ErrMissingHeader},
		{name: "missing signature", h: with("X-Slack-Signature", ""), want: ErrMissingHeader},
		{name: "no headers", h: http.Header{}, want: ErrMissingHeader},
		{name: "non-numeric timestamp", h: with("X-Slack-Request-Timestamp", "yesterday"), want: ErrBadTimestamp},
		{name: "fractional timestamp", h: with("X-Slack-Request-Timestamp", valid.Get("X-Slack-Request-Timestamp")+".5"), want: ErrBadTimestamp},
		{name: "unknown signature version", h: with("X-Slack-Signature", "v1="+strings.TrimPrefix(valid.Get("X-Slack-Signature"), "v0=")), want: ErrBadSignature},
		{name: "signature without version", h: with("X-Slack-Signature", strings.TrimPrefix(valid.Get("X-Slack-Signature"), "v0=")), want: ErrBadSignature},
		{name: "signature not hex", h: with("X-Slack-Signature", "v0=zz"), want: ErrBadSignature},
		{name: "empty signature", h: with("X-Slack-Signature", "v0="), want: ErrBadSignature},
		{name: "truncated signature", h: with("X-Slack-Signature", valid.Get("X-Slack-Signature")[:40]), want: ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock, secret, b := tt.clock, tt.secret, tt.body
			if clock.IsZero() {
				clock = signedAt
			}
			if secret == "" {
				secret = testSecret
			}
			if b == "" {
				b = body
			}
			err := verifierAt(t, secret, clock).Verify(context.Background(), tt.h, []byte(b))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if followup.ErrorCodeOf(err) != followup.EUnauthorized {
				t.Errorf("ErrorCodeOf(%v) = %s, want unauthorized", err, followup.ErrorCodeOf(err))
			}
		})
	}
}

// TestVerifyReplay: a captured request is accepted while fresh and refused
// once more than five minutes have passed, whatever else is unchanged.
func TestVerifyReplay(t *testing.T) {
	t.Parallel()
	const body = "payload=%7B%22type%22%3A%22block_actions%22%7D"
	h := slackHeaders(testSecret, signedAt, body)
	clock := signedAt
	v := verifierAt(t, testSecret, time.Time{})
	v.now = func() time.Time { return clock }
	if err := v.Verify(context.Background(), h, []byte(body)); err != nil {
		t.Fatalf("original request: %v", err)
	}
	clock = signedAt.Add(5*time.Minute + time.Second)
	if err := v.Verify(context.Background(), h.Clone(), []byte(body)); !errors.Is(err, ErrStaleTimestamp) {
		t.Fatalf("replay after 5 minutes: %v, want %v", err, ErrStaleTimestamp)
	}
}

func TestNewVerifier(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "  "} {
		if _, err := NewVerifier(s, nil); err == nil {
			t.Errorf("NewVerifier(%q) accepted an empty secret", s)
		}
	}
	v, err := NewVerifier(testSecret, nil)
	if err != nil || v.maxAge != 5*time.Minute || v.now == nil {
		t.Fatalf("NewVerifier = %+v, %v", v, err)
	}
}

func TestReadVerified(t *testing.T) {
	t.Parallel()
	const body = "command=%2Ffollowup&text=status+42"
	const limit = 1 << 10
	request := func(body string, h http.Header) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
		for k, vs := range h {
			r.Header[k] = vs
		}
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	v := verifierAt(t, testSecret, signedAt)

	t.Run("valid", func(t *testing.T) {
		r := request(body, slackHeaders(testSecret, signedAt, body))
		got, err := ReadVerified(httptest.NewRecorder(), r, v, limit)
		if err != nil || string(got) != body {
			t.Fatalf("ReadVerified = %q, %v", got, err)
		}
		// The body is put back, so the handler can still parse the form.
		if err := r.ParseForm(); err != nil || r.PostForm.Get("text") != "status 42" {
			t.Fatalf("after ReadVerified, form text = %q, %v", r.PostForm.Get("text"), err)
		}
	})
	t.Run("exactly the limit", func(t *testing.T) {
		b := "text=" + strings.Repeat("a", limit-len("text="))
		got, err := ReadVerified(httptest.NewRecorder(), request(b, slackHeaders(testSecret, signedAt, b)), v, limit)
		if err != nil || len(got) != limit {
			t.Fatalf("ReadVerified = %d bytes, %v", len(got), err)
		}
	})
	t.Run("oversize body", func(t *testing.T) {
		b := "text=" + strings.Repeat("a", limit)
		got, err := ReadVerified(httptest.NewRecorder(), request(b, slackHeaders(testSecret, signedAt, b)), v, limit)
		if !errors.Is(err, ErrBodyTooLarge) || got != nil {
			t.Fatalf("ReadVerified = %d bytes, %v; want %v", len(got), err, ErrBodyTooLarge)
		}
		if _, ok := errors.AsType[*http.MaxBytesError](err); !ok {
			t.Errorf("%v does not wrap *http.MaxBytesError", err)
		}
	})
	t.Run("forged", func(t *testing.T) {
		got, err := ReadVerified(httptest.NewRecorder(), request(body, slackHeaders("guess", signedAt, body)), v, limit)
		if !errors.Is(err, ErrBadSignature) || got != nil {
			t.Fatalf("ReadVerified = %q, %v; want %v", got, err, ErrBadSignature)
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		got, err := ReadVerified(httptest.NewRecorder(), request(body, nil), v, limit)
		if !errors.Is(err, ErrMissingHeader) || got != nil {
			t.Fatalf("ReadVerified = %q, %v; want %v", got, err, ErrMissingHeader)
		}
	})
	t.Run("stale", func(t *testing.T) {
		old := signedAt.Add(-6 * time.Minute)
		got, err := ReadVerified(httptest.NewRecorder(), request(body, slackHeaders(testSecret, old, body)), v, limit)
		if !errors.Is(err, ErrStaleTimestamp) || got != nil {
			t.Fatalf("ReadVerified = %q, %v; want %v", got, err, ErrStaleTimestamp)
		}
	})
}

// TestVerifyReplayWithinWindow: the same signed request a second time is
// refused while its timestamp is still fresh, also with its signature
// written in upper-case hex.
func TestVerifyReplayWithinWindow(t *testing.T) {
	t.Parallel()
	const body = "payload=%7B%22type%22%3A%22block_actions%22%7D"
	h := slackHeaders(testSecret, signedAt, body)
	v := verifierAt(t, testSecret, signedAt)
	if err := v.Verify(context.Background(), h, []byte(body)); err != nil {
		t.Fatalf("original request: %v", err)
	}
	if err := v.Verify(context.Background(), h.Clone(), []byte(body)); !errors.Is(err, ErrReplayed) {
		t.Fatalf("replay: %v, want %v", err, ErrReplayed)
	}
	upper := h.Clone()
	upper.Set(HeaderSignature, "v0="+strings.ToUpper(strings.TrimPrefix(h.Get(HeaderSignature), "v0=")))
	if err := v.Verify(context.Background(), upper, []byte(body)); !errors.Is(err, ErrReplayed) {
		t.Fatalf("replay in upper case: %v, want %v", err, ErrReplayed)
	}
	// Another request at the same second is not a replay.
	other := "payload=%7B%22type%22%3A%22view_submission%22%7D"
	if err := v.Verify(context.Background(), slackHeaders(testSecret, signedAt, other), []byte(other)); err != nil {
		t.Fatalf("another request: %v", err)
	}
}

// openStore opens the database at url, as one `followup serve` would.
func openStore(t *testing.T, url string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// TestVerifyReplayAcrossServers: two servers behind a load balancer share
// the replay guard through Postgres: a request one accepted is refused by
// the other, whatever the letter case of its signature.
func TestVerifyReplayAcrossServers(t *testing.T) {
	t.Parallel()
	url := pgtest.New(t)
	now := time.Now()
	one, err := NewVerifier(testSecret, openStore(t, url))
	if err != nil {
		t.Fatal(err)
	}
	two, err := NewVerifier(testSecret, openStore(t, url))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const body = "payload=%7B%22type%22%3A%22block_actions%22%7D"
	h := slackHeaders(testSecret, now, body)
	if err := one.Verify(ctx, h, []byte(body)); err != nil {
		t.Fatalf("server 1, original request: %v", err)
	}
	if err := two.Verify(ctx, h.Clone(), []byte(body)); !errors.Is(err, ErrReplayed) {
		t.Fatalf("server 2, replay: %v, want %v", err, ErrReplayed)
	}
	upper := h.Clone()
	upper.Set(HeaderSignature, "v0="+strings.ToUpper(strings.TrimPrefix(h.Get(HeaderSignature), "v0=")))
	if err := two.Verify(ctx, upper, []byte(body)); !errors.Is(err, ErrReplayed) {
		t.Fatalf("server 2, replay in upper case: %v, want %v", err, ErrReplayed)
	}
	// Another request at the same second is not a replay, on either.
	other := "payload=%7B%22type%22%3A%22view_submission%22%7D"
	if err := two.Verify(ctx, slackHeaders(testSecret, now, other), []byte(other)); err != nil {
		t.Fatalf("server 2, another request: %v", err)
	}
	if err := one.Verify(ctx, slackHeaders(testSecret, now, other), []byte(other)); !errors.Is(err, ErrReplayed) {
		t.Fatalf("server 1, replay of server 2's request: %v, want %v", err, ErrReplayed)
	}
}

// TestVerifyRefusesWhenPostgresIsDown: a validly signed request that
// cannot be checked for replay is refused with ErrReplayUnchecked (not
// taken for a forgery, not accepted unchecked), within Slack's 3 seconds.
func TestVerifyRefusesWhenPostgresIsDown(t *testing.T) {
	t.Parallel()
	relayed, cut := pgtest.Relay(t, pgtest.New(t))
	v, err := NewVerifier(testSecret, openStore(t, relayed))
	if err != nil {
		t.Fatal(err)
	}
	cut()
	const body = "command=%2Ffollowup&text=send+42+hi"
	start := time.Now()
	err = v.Verify(context.Background(), slackHeaders(testSecret, time.Now(), body), []byte(body))
	if !errors.Is(err, ErrReplayUnchecked) {
		t.Fatalf("Verify with Postgres down = %v, want %v", err, ErrReplayUnchecked)
	}
	if code := followup.ErrorCodeOf(err); code == followup.EUnauthorized {
		t.Errorf("an outage is reported as %s", code)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("refused after %s; Slack gives up after 3 s", d)
	}
}
