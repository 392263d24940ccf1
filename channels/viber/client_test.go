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
	for want, cfg := range map[string]viber.Config{
		"auth token":     {SenderName: "x"},
		"sender name":    {AuthToken: "t"},
		"longer than 28": {AuthToken: "t", SenderName: strings.Repeat("a", 29)},
	} {
		_, err := viber.New(cfg, nil)
		channelstest.ErrorNames(t, err, want)
	}
}

func TestSendRequestShape(t *testing.T) {
	for _, mode := range []followup.Mode{followup.ModeFreeText, followup.ModeChatbot} {
		t.Run(string(mode), func(t *testing.T) {
			fake := channelstest.Start(t, vibertest.New)
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
			r := channelstest.One(t, "requests", fake.Requests())
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
	fake := channelstest.Start(t, vibertest.New)
	channelstest.RefusesModes(t, newClient(t, fake, vibertest.Token), channels.Outbound{To: "u", Text: "x"}, fake.Received,
		followup.ModeTemplate, followup.ModeHumanAgent, followup.ModeMessageTag)
}

func TestSendErrors(t *testing.T) {
	channelstest.Failures(t, []channelstest.Failure[vibertest.Kind]{
		{Fail: vibertest.NotSubscribed, Class: followup.RecipientGone, Code: "6"},
		{Fail: vibertest.NotRegistered, Class: followup.RecipientGone, Code: "5"},
		{Fail: vibertest.FreeMessagesExceeded, Class: followup.WindowClosed, Code: "23"},
		{Fail: vibertest.NoBalance, Class: followup.WindowClosed, Code: "24"},
		{Fail: vibertest.TooManyRequests, Class: followup.Retryable, Code: "12"},
		{Fail: vibertest.HTTPTooManyRequests, Class: followup.Retryable, Code: "http_429", RetryAfter: 42 * time.Second},
		{Fail: vibertest.Unavailable, Class: followup.Retryable, Code: "http_503"},
		{Fail: vibertest.GeneralError, Class: followup.Retryable, Code: "99"},
	}, func(t *testing.T, kind vibertest.Kind) error {
		fake := channelstest.Start(t, vibertest.New)
		fake.FailFor("bad=", kind)
		fake.SetRetryAfter(42 * time.Second)
		c := newClient(t, fake, vibertest.Token)
		_, err := c.Send(context.Background(), channels.Outbound{To: "bad=", Mode: followup.ModeChatbot, Text: "hello"})
		// Other receivers are unaffected.
		if _, err := c.Send(context.Background(), channels.Outbound{To: "good=", Mode: followup.ModeChatbot, Text: "hello"}); err != nil {
			t.Errorf("good receiver: %v", err)
		}
		return err
	})
}

func TestSendBadTokenAndBadDataArePermanent(t *testing.T) {
	fake := channelstest.Start(t, vibertest.New)
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
	fake := channelstest.Start(t, vibertest.New)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newClient(t, fake, vibertest.Token).Send(ctx, channels.Outbound{To: "u=", Mode: followup.ModeFreeText, Text: "hi"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
