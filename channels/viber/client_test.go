package viber_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/viber"
	"github.com/followup-dev/followup/channels/viber/vibertest"
)

func newClient(t *testing.T, fake *vibertest.Server, token string) *viber.Client {
	t.Helper()
	return channelstest.Must(viber.New(viber.Config{BaseURL: fake.URL(), AuthToken: token, SenderName: "Acme Support"}, nil))(t)
}

func TestNewNamesMissingCredential(t *testing.T) {
	for _, tc := range []struct {
		cfg  viber.Config
		want string
	}{
		{viber.Config{SenderName: "x"}, "auth token"},
		{viber.Config{AuthToken: "t"}, "sender name"},
		{viber.Config{AuthToken: "t", SenderName: strings.Repeat("a", 29)}, "longer than 28"},
	} {
		if _, err := viber.New(tc.cfg, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want error about %q", tc.cfg, err, tc.want)
		}
	}
}

func TestSendRequestShape(t *testing.T) {
	for _, mode := range []followup.Mode{followup.ModeFreeText, followup.ModeChatbot} {
		t.Run(string(mode), func(t *testing.T) {
			fake := vibertest.New()
			defer fake.Close()
			c := newClient(t, fake, vibertest.Token)
			sent, err := c.Send(context.Background(), channels.Outbound{Channel: followup.Viber, To: "01234567890A=",
				Mode: mode, Text: "Hi Ada, following up on #4821", IdempotencyKey: "fu-7-1"})
			if err != nil {
				t.Fatal(err)
			}
			// The token is past 2^53: read as a float it would have lost digits.
			if sent.ProviderID != "5741311803571721088" {
				t.Errorf("ProviderID = %q", sent.ProviderID)
			}
			reqs := fake.Requests()
			if len(reqs) != 1 {
				t.Fatalf("fake got %d requests", len(reqs))
			}
			r := reqs[0]
			if r.Method != http.MethodPost || r.Path != "/pa/send_message" || r.Header.Get("X-Viber-Auth-Token") != vibertest.Token {
				t.Errorf("request %s %s token %q", r.Method, r.Path, r.Header.Get("X-Viber-Auth-Token"))
			}
			snd, _ := r.Body["sender"].(map[string]any)
			if r.Body["receiver"] != "01234567890A=" || r.Body["type"] != "text" || r.Body["text"] != "Hi Ada, following up on #4821" ||
				r.Body["tracking_data"] != "fu-7-1" || r.Body["min_api_version"] != float64(1) || snd["name"] != "Acme Support" {
				t.Errorf("body = %v", r.Body)
			}
		})
	}
}

func TestSendRefusesModesViberLacks(t *testing.T) {
	fake := vibertest.New()
	defer fake.Close()
	c := newClient(t, fake, vibertest.Token)
	for _, mode := range []followup.Mode{followup.ModeTemplate, followup.ModeHumanAgent, followup.ModeMessageTag} {
		_, err := c.Send(context.Background(), channels.Outbound{To: "u", Mode: mode, Text: "x"})
		channelstest.Refusal(t, err, followup.Permanent, "unsupported_mode")
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("fake got %d requests for unsupported modes", n)
	}
}

func TestSendErrors(t *testing.T) {
	for _, tc := range []struct {
		kind       vibertest.Kind
		class      followup.SendErrorClass
		code       string
		retryAfter time.Duration
	}{
		{vibertest.NotSubscribed, followup.RecipientGone, "6", 0},
		{vibertest.NotRegistered, followup.RecipientGone, "5", 0},
		{vibertest.FreeMessagesExceeded, followup.WindowClosed, "23", 0},
		{vibertest.NoBalance, followup.WindowClosed, "24", 0},
		{vibertest.TooManyRequests, followup.Retryable, "12", 0},
		{vibertest.HTTPTooManyRequests, followup.Retryable, "http_429", 42 * time.Second},
		{vibertest.Unavailable, followup.Retryable, "http_503", 0},
		{vibertest.GeneralError, followup.Retryable, "99", 0},
	} {
		t.Run(tc.code, func(t *testing.T) {
			fake := vibertest.New()
			defer fake.Close()
			fake.FailFor("bad=", tc.kind)
			fake.SetRetryAfter(42 * time.Second)
			c := newClient(t, fake, vibertest.Token)
			_, err := c.Send(context.Background(), channels.Outbound{To: "bad=", Mode: followup.ModeChatbot, Text: "hello"})
			if se := channelstest.Refusal(t, err, tc.class, tc.code); se.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter %v, want %v", se.RetryAfter, tc.retryAfter)
			}
			// Other receivers are unaffected.
			if _, err := c.Send(context.Background(), channels.Outbound{To: "good=", Mode: followup.ModeChatbot, Text: "hello"}); err != nil {
				t.Errorf("good receiver: %v", err)
			}
		})
	}
}

func TestSendBadTokenAndBadDataArePermanent(t *testing.T) {
	fake := vibertest.New()
	defer fake.Close()
	_, err := newClient(t, fake, "wrong-token").Send(context.Background(), channels.Outbound{To: "u=", Mode: followup.ModeFreeText, Text: "hi"})
	channelstest.Refusal(t, err, followup.Permanent, "2") // bad token
	_, err = newClient(t, fake, vibertest.Token).Send(context.Background(), channels.Outbound{To: "u=", Mode: followup.ModeFreeText, Text: ""})
	channelstest.Refusal(t, err, followup.Permanent, "4") // empty text
}

func TestSendTransportErrorIsPlain(t *testing.T) {
	fake := vibertest.New()
	c := newClient(t, fake, vibertest.Token)
	fake.Close()
	_, err := c.Send(context.Background(), channels.Outbound{To: "u=", Mode: followup.ModeFreeText, Text: "hi"})
	channelstest.Plain(t, err)
}

func TestSendHonoursContext(t *testing.T) {
	fake := vibertest.New()
	defer fake.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newClient(t, fake, vibertest.Token).Send(ctx, channels.Outbound{To: "u=", Mode: followup.ModeFreeText, Text: "hi"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
