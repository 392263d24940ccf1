package messenger_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/messenger"
	"github.com/followup-dev/followup/channels/messenger/messengertest"
)

func newClient(t *testing.T, fake *messengertest.Server, cfg messenger.Config) *messenger.Client {
	t.Helper()
	cfg.BaseURL = fake.URL()
	if cfg.PageToken == "" {
		cfg.PageToken = messengertest.PageToken
	}
	c, err := messenger.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sendErr(t *testing.T, err error) *followup.SendError {
	t.Helper()
	var se *followup.SendError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want *followup.SendError", err, err)
	}
	return se
}

func TestNew(t *testing.T) {
	if _, err := messenger.New(messenger.Config{}, nil); err == nil || !strings.Contains(err.Error(), "page access token") {
		t.Errorf("missing token: %v", err)
	}
	if _, err := messenger.New(messenger.Config{PageToken: "t", FreeText: "MESSAGE_TAG"}, nil); err == nil {
		t.Error("MESSAGE_TAG accepted as the free-text type")
	}
}

func TestSendModes(t *testing.T) {
	tests := []struct {
		name     string
		cfg      messenger.Config
		m        channels.Outbound
		path     string
		typ, tag string
	}{
		{"free text is UPDATE by default", messenger.Config{PageID: messengertest.PageID},
			channels.Outbound{Mode: followup.ModeFreeText}, "/v24.0/" + messengertest.PageID + "/messages", "UPDATE", ""},
		{"free text as RESPONSE via /me", messenger.Config{FreeText: messenger.Response},
			channels.Outbound{Mode: followup.ModeFreeText}, "/v24.0/me/messages", "RESPONSE", ""},
		{"human agent", messenger.Config{}, channels.Outbound{Mode: followup.ModeHumanAgent}, "/v24.0/me/messages", "MESSAGE_TAG", "HUMAN_AGENT"},
		{"human agent ignores a stray tag", messenger.Config{},
			channels.Outbound{Mode: followup.ModeHumanAgent, Tag: followup.TagAccountUpdate}, "/v24.0/me/messages", "MESSAGE_TAG", "HUMAN_AGENT"},
		{"account update", messenger.Config{}, channels.Outbound{Mode: followup.ModeMessageTag, Tag: followup.TagAccountUpdate}, "/v24.0/me/messages", "MESSAGE_TAG", "ACCOUNT_UPDATE"},
		{"post purchase", messenger.Config{APIVersion: "v21.0"},
			channels.Outbound{Mode: followup.ModeMessageTag, Tag: followup.TagPostPurchaseUpdate}, "/v21.0/me/messages", "MESSAGE_TAG", "POST_PURCHASE_UPDATE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := messengertest.New()
			defer fake.Close()
			m := tt.m
			m.To, m.Text, m.IdempotencyKey = "PSID-1", "Hi Ada, following up on #4821.", "key-1"
			sent, err := newClient(t, fake, tt.cfg).Send(context.Background(), m)
			if err != nil {
				t.Fatal(err)
			}
			acc := fake.Accepted()
			if len(acc) != 1 || sent.ProviderID != acc[0].MessageID {
				t.Fatalf("ProviderID %q, accepted %+v", sent.ProviderID, acc)
			}
			r := fake.Requests()[0]
			if r.Path != tt.path || r.Header.Get("Authorization") != "Bearer "+messengertest.PageToken {
				t.Errorf("path %s auth %q", r.Path, r.Header.Get("Authorization"))
			}
			b := r.Body
			msg := b["message"].(map[string]any)
			if b["recipient"].(map[string]any)["id"] != "PSID-1" || b["messaging_type"] != tt.typ || msg["text"] != m.Text || msg["metadata"] != "key-1" {
				t.Errorf("body = %v", b)
			}
			if tag, _ := b["tag"].(string); tag != tt.tag {
				t.Errorf("tag = %q, want %q", tag, tt.tag)
			}
		})
	}
}

func TestSendRefusedLocally(t *testing.T) {
	fake := messengertest.New()
	defer fake.Close()
	c := newClient(t, fake, messenger.Config{})
	for _, m := range []channels.Outbound{
		{To: "P", Mode: followup.ModeMessageTag, Text: "x"},
		{To: "P", Mode: followup.ModeMessageTag, Tag: "ISSUE_RESOLUTION", Text: "x"},
		{To: "P", Mode: followup.ModeTemplate, Text: "x"},
		{To: "", Mode: followup.ModeFreeText, Text: "x"},
	} {
		_, err := c.Send(context.Background(), m)
		if se := sendErr(t, err); se.Class != followup.Permanent {
			t.Errorf("%+v: %s", m, se.Class)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests reached the provider", n)
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name       string
		outcome    messengertest.Outcome
		mode       followup.Mode
		tag        followup.Tag
		status     int
		class      followup.SendErrorClass
		code       string
		retryAfter time.Duration
	}{
		{"window closed", messengertest.WindowClosed, followup.ModeFreeText, "", 0, followup.WindowClosed, "10/2018278", 0},
		{"window closed as 403", messengertest.WindowClosed, followup.ModeHumanAgent, "", http.StatusForbidden, followup.WindowClosed, "10/2018278", 0},
		{"blocked", messengertest.Blocked, followup.ModeFreeText, "", 0, followup.RecipientGone, "551/1545041", 0},
		{"unknown user", messengertest.UnknownUser, followup.ModeFreeText, "", 0, followup.Permanent, "100/2018001", 0},
		{"unknown user with a tag", messengertest.UnknownUser, followup.ModeMessageTag, followup.TagAccountUpdate, 0, followup.Permanent, "100/2018001", 0},
		{"tag rejected", messengertest.TagRejected, followup.ModeMessageTag, followup.TagAccountUpdate, 0, followup.WindowClosed, "100", 0},
		{"page restricted", messengertest.PageRestricted, followup.ModeFreeText, "", 0, followup.Permanent, "10/1893063", 0},
		{"rate limited", messengertest.RateLimited, followup.ModeFreeText, "", 0, followup.Retryable, "613", 0},
		{"HTTP 429", messengertest.TooManyRequests, followup.ModeFreeText, "", 0, followup.Retryable, "4", messengertest.RetryAfterSeconds * time.Second},
		{"server error", messengertest.ServerError, followup.ModeFreeText, "", 0, followup.Retryable, "2", 0},
		{"token expired", messengertest.TokenExpired, followup.ModeFreeText, "", 0, followup.Permanent, "190/463", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := messengertest.New()
			defer fake.Close()
			if tt.status != 0 {
				fake.SetErrorStatus(tt.status)
			}
			fake.FailFor("PSID-1", tt.outcome)
			_, err := newClient(t, fake, messenger.Config{}).Send(context.Background(), channels.Outbound{To: "PSID-1", Mode: tt.mode, Tag: tt.tag, Text: "hello"})
			se := sendErr(t, err)
			if se.Class != tt.class || se.Code != tt.code || se.RetryAfter != tt.retryAfter || se.Message == "" {
				t.Errorf("got %+v, want %s %s %v", se, tt.class, tt.code, tt.retryAfter)
			}
		})
	}
}

func TestWindowFromLastInbound(t *testing.T) {
	fake := messengertest.New()
	defer fake.Close()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	fake.SetNow(func() time.Time { return now })
	fake.LastInbound("day2", now.Add(-25*time.Hour))
	fake.LastInbound("day8", now.Add(-8*24*time.Hour))
	c := newClient(t, fake, messenger.Config{})
	send := func(to string, mode followup.Mode, tag followup.Tag) error {
		_, err := c.Send(context.Background(), channels.Outbound{To: to, Mode: mode, Tag: tag, Text: "x"})
		return err
	}
	if se := sendErr(t, send("day2", followup.ModeFreeText, "")); se.Class != followup.WindowClosed {
		t.Errorf("free text after 25 h: %v", se)
	}
	if err := send("day2", followup.ModeHumanAgent, ""); err != nil {
		t.Errorf("HUMAN_AGENT after 25 h: %v", err)
	}
	if se := sendErr(t, send("day8", followup.ModeHumanAgent, "")); se.Class != followup.WindowClosed {
		t.Errorf("HUMAN_AGENT after 8 days: %v", se)
	}
	if err := send("day8", followup.ModeMessageTag, followup.TagConfirmedEventUpdate); err != nil {
		t.Errorf("CONFIRMED_EVENT_UPDATE after 8 days: %v", err)
	}
}

func TestWrongToken(t *testing.T) {
	fake := messengertest.New()
	defer fake.Close()
	_, err := newClient(t, fake, messenger.Config{PageToken: "wrong"}).Send(context.Background(), channels.Outbound{To: "P", Mode: followup.ModeFreeText, Text: "x"})
	if se := sendErr(t, err); se.Class != followup.Permanent || se.Code != "190" {
		t.Errorf("%+v", se)
	}
}

func TestTransportErrorIsRetried(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Close() // nothing listens: connection refused
	c, _ := messenger.New(messenger.Config{BaseURL: srv.URL, PageToken: "t"}, nil)
	_, err := c.Send(context.Background(), channels.Outbound{To: "P", Mode: followup.ModeFreeText, Text: "x"})
	var se *followup.SendError
	if err == nil || (errors.As(err, &se) && se.Class != followup.Retryable) {
		t.Errorf("err = %v, want a retryable error", err)
	}
}
