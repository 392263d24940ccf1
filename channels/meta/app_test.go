package meta_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/meta"
)

func TestNewWebhookNamesMissingCredential(t *testing.T) {
	for _, p := range products {
		if _, err := p.webhook("", "v"); err == nil || !strings.Contains(err.Error(), string(p.channel)+": missing app secret") {
			t.Errorf("%s: err = %v", p.channel, err)
		}
		if _, err := p.webhook("s", ""); err == nil || !strings.Contains(err.Error(), "verify token") {
			t.Errorf("%s: err = %v", p.channel, err)
		}
	}
}

func TestVerifyRefuses(t *testing.T) {
	for _, p := range products {
		h := channelstest.Must(p.webhook(p.appSecret, p.verifyToken))(t)
		body := []byte(`{"object":"page","entry":[{"messaging":[{"message":{"mid":"m","text":"hi"}}]}]}`)
		signed := func(sig string, body []byte) channelstest.Signed {
			r := httptest.NewRequest(http.MethodPost, target, nil)
			if sig != "" {
				r.Header.Set(meta.SignatureHeader, sig)
			}
			return channelstest.Signed{R: r, Body: body}
		}
		sig := meta.Sign(p.appSecret, body)
		channelstest.Refuses(t, h, map[string]channelstest.Signed{
			"missing header":        signed("", body),
			"forged (wrong secret)": signed(meta.Sign("someone-else", body), body),
			"another app's secret":  signed(meta.Sign("messenger-app-secret", body), body),
			"tampered body":         signed(sig, []byte(strings.Replace(string(body), `"hi"`, `"hj"`, 1))),
			"a byte appended":       signed(sig, append(append([]byte{}, body...), ' ')),
			"no sha256= prefix":     signed(strings.TrimPrefix(sig, "sha256="), body),
			"sha1 scheme":           signed("sha1="+strings.TrimPrefix(sig, "sha256="), body),
			"not hex":               signed("sha256=zz", body),
		})
		if ok := signed(sig, body); h.Verify(ok.R, ok.Body) != nil {
			t.Errorf("%s: a valid signature refused", p.channel)
		}
		channelstest.Receive(t, h, p.message("1", "m", "hi", time.Now()))
	}
}

func TestHandshake(t *testing.T) {
	for _, p := range products {
		h := channelstest.Must(p.webhook(p.appSecret, p.verifyToken))(t)
		for _, tt := range []struct {
			name    string
			method  string
			query   string
			handled bool
			status  int
			body    string
		}{
			{"ok", http.MethodGet, "hub.mode=subscribe&hub.verify_token=" + p.verifyToken + "&hub.challenge=1158201444", true, 200, "1158201444"},
			{"wrong token", http.MethodGet, "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=42", true, 403, ""},
			{"wrong mode", http.MethodGet, "hub.mode=unsubscribe&hub.verify_token=" + p.verifyToken + "&hub.challenge=1", true, 403, ""},
			{"no challenge", http.MethodGet, "hub.mode=subscribe&hub.verify_token=" + p.verifyToken, true, 403, ""},
			{"not a handshake", http.MethodGet, "", false, 0, ""},
			{"event POST", http.MethodPost, "hub.mode=subscribe", false, 0, ""},
		} {
			w := httptest.NewRecorder()
			handled := h.Handshake(w, httptest.NewRequest(tt.method, target+"?"+tt.query, nil))
			switch {
			case handled != tt.handled:
				t.Errorf("%s %s: handled = %v", p.channel, tt.name, handled)
			case !handled:
			case w.Code != tt.status, tt.status == 200 && w.Body.String() != tt.body:
				t.Errorf("%s %s: %d %q", p.channel, tt.name, w.Code, w.Body.String())
			case tt.status != 200 && strings.Contains(w.Body.String(), "42"):
				t.Errorf("%s %s: a refusal echoed the challenge: %q", p.channel, tt.name, w.Body.String())
			}
		}
	}
}

func TestDuplicateDeliverySameKey(t *testing.T) {
	for _, p := range products {
		h := channelstest.Must(p.webhook(p.appSecret, p.verifyToken))(t)
		at := time.Now()
		a := channelstest.Receive(t, h, p.message("1", "mid.DUP", "hi", at))
		b := channelstest.Receive(t, h, p.message("1", "mid.DUP", "hi", at))
		other := channelstest.Receive(t, h, p.message("1", "mid.OTHER", "hi", at))
		if a[0].DedupKey == "" || a[0].DedupKey != b[0].DedupKey || other[0].DedupKey == a[0].DedupKey {
			t.Errorf("%s: keys %q, %q and another message's %q", p.channel, a[0].DedupKey, b[0].DedupKey, other[0].DedupKey)
		}
	}
}

func TestWrongTokenIsPermanent(t *testing.T) {
	for _, p := range products {
		f := p.start()
		_, err := channelstest.Must(p.client(f.URL(), "stolen"))(t).Send(context.Background(), p.out())
		f.Close()
		if se := channelstest.SendError(t, err); se.Class != followup.Permanent || se.Code != "190" {
			t.Errorf("%s: %+v", p.channel, se)
		}
	}
}

func TestTransportErrorIsRetried(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
	}))
	defer slow.Close()
	for _, p := range products {
		f := p.start()
		f.Close() // nothing listens: connection refused
		_, err := channelstest.Must(p.client(f.URL(), "t"))(t).Send(context.Background(), p.out())
		channelstest.Retried(t, err)

		// A timeout: the client's own.
		c := channelstest.Must(p.client(slow.URL, "t"))(t)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, err = c.Send(ctx, p.out())
		cancel()
		channelstest.Retried(t, err)
	}
}

func TestNonGraphAnswers(t *testing.T) {
	for _, tt := range []struct {
		status int
		class  followup.SendErrorClass
	}{
		{http.StatusBadGateway, followup.Retryable},
		{http.StatusTooManyRequests, followup.Retryable},
		{http.StatusForbidden, followup.Permanent},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3")
			http.Error(w, "<html>proxy</html>", tt.status)
		}))
		for _, p := range products {
			_, err := channelstest.Must(p.client(srv.URL, "t"))(t).Send(context.Background(), p.out())
			se := channelstest.SendError(t, err)
			if se.Class != tt.class || (tt.class == followup.Retryable) != (se.RetryAfter == 3*time.Second) {
				t.Errorf("%s HTTP %d: %+v", p.channel, tt.status, se)
			}
		}
		srv.Close()
	}
}
