package instagram_test

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
	"github.com/followup-dev/followup/channels/instagram"
	"github.com/followup-dev/followup/channels/instagram/instagramtest"
)

func newClient(t *testing.T, fake *instagramtest.Server, cfg instagram.Config) *instagram.Client {
	t.Helper()
	cfg.BaseURL = fake.URL()
	if cfg.Token == "" {
		cfg.Token = instagramtest.Token
	}
	c, err := instagram.New(cfg, nil)
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
	if _, err := instagram.New(instagram.Config{}, nil); err == nil || !strings.Contains(err.Error(), "access token") {
		t.Errorf("missing token: %v", err)
	}
}

func TestSendModes(t *testing.T) {
	tests := []struct {
		name     string
		cfg      instagram.Config
		m        channels.Outbound
		path     string
		typ, tag string
	}{
		{"free text", instagram.Config{AccountID: instagramtest.AccountID}, channels.Outbound{Mode: followup.ModeFreeText},
			"/v24.0/" + instagramtest.AccountID + "/messages", "", ""},
		{"human agent via /me", instagram.Config{}, channels.Outbound{Mode: followup.ModeHumanAgent}, "/v24.0/me/messages", "MESSAGE_TAG", "HUMAN_AGENT"},
		{"HUMAN_AGENT picked as a tag", instagram.Config{APIVersion: "v22.0"},
			channels.Outbound{Mode: followup.ModeMessageTag, Tag: followup.TagHumanAgent}, "/v22.0/me/messages", "MESSAGE_TAG", "HUMAN_AGENT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := instagramtest.New()
			defer fake.Close()
			m := tt.m
			m.To, m.Text = "IGSID-1", "Hi Ada, an agent here about #4821."
			sent, err := newClient(t, fake, tt.cfg).Send(context.Background(), m)
			if err != nil {
				t.Fatal(err)
			}
			acc := fake.Accepted()
			if len(acc) != 1 || sent.ProviderID != acc[0].MessageID {
				t.Fatalf("ProviderID %q, accepted %+v", sent.ProviderID, acc)
			}
			r := fake.Requests()[0]
			if r.Path != tt.path || r.Header.Get("Authorization") != "Bearer "+instagramtest.Token {
				t.Errorf("path %s auth %q", r.Path, r.Header.Get("Authorization"))
			}
			b := r.Body
			if b["recipient"].(map[string]any)["id"] != "IGSID-1" || b["message"].(map[string]any)["text"] != m.Text {
				t.Errorf("body = %v", b)
			}
			typ, _ := b["messaging_type"].(string)
			tag, _ := b["tag"].(string)
			if typ != tt.typ || tag != tt.tag {
				t.Errorf("messaging_type %q tag %q, want %q %q", typ, tag, tt.typ, tt.tag)
			}
		})
	}
}

func TestOtherTagsRefusedLocally(t *testing.T) {
	fake := instagramtest.New()
	defer fake.Close()
	c := newClient(t, fake, instagram.Config{})
	for _, m := range []channels.Outbound{
		{To: "I", Mode: followup.ModeMessageTag, Tag: followup.TagAccountUpdate, Text: "x"},
		{To: "I", Mode: followup.ModeMessageTag, Tag: followup.TagConfirmedEventUpdate, Text: "x"},
		{To: "I", Mode: followup.ModeTemplate, Text: "x"},
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
		outcome    instagramtest.Outcome
		status     int
		class      followup.SendErrorClass
		code       string
		retryAfter time.Duration
	}{
		{"window closed", instagramtest.WindowClosed, 0, followup.WindowClosed, "10/2534022", 0},
		{"window closed as 403", instagramtest.WindowClosed, http.StatusForbidden, followup.WindowClosed, "10/2534022", 0},
		{"blocked", instagramtest.Blocked, 0, followup.RecipientGone, "551/1545041", 0},
		{"unknown user", instagramtest.UnknownUser, 0, followup.Permanent, "100/2534014", 0},
		{"rate limited", instagramtest.RateLimited, 0, followup.Retryable, "613", 0},
		{"HTTP 429", instagramtest.TooManyRequests, 0, followup.Retryable, "4", instagramtest.RetryAfterSeconds * time.Second},
		{"server error", instagramtest.ServerError, 0, followup.Retryable, "2", 0},
		{"token expired", instagramtest.TokenExpired, 0, followup.Permanent, "190/463", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := instagramtest.New()
			defer fake.Close()
			if tt.status != 0 {
				fake.SetErrorStatus(tt.status)
			}
			fake.FailFor("IGSID-1", tt.outcome)
			_, err := newClient(t, fake, instagram.Config{}).Send(context.Background(), channels.Outbound{To: "IGSID-1", Mode: followup.ModeHumanAgent, Text: "hello"})
			se := sendErr(t, err)
			if se.Class != tt.class || se.Code != tt.code || se.RetryAfter != tt.retryAfter || se.Message == "" {
				t.Errorf("got %+v, want %s %s %v", se, tt.class, tt.code, tt.retryAfter)
			}
		})
	}
}

func TestWindowFromLastInbound(t *testing.T) {
	fake := instagramtest.New()
	defer fake.Close()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	fake.SetNow(func() time.Time { return now })
	fake.LastInbound("day2", now.Add(-25*time.Hour))
	fake.LastInbound("day8", now.Add(-8*24*time.Hour))
	c := newClient(t, fake, instagram.Config{})
	send := func(to string, mode followup.Mode) error {
		_, err := c.Send(context.Background(), channels.Outbound{To: to, Mode: mode, Text: "x"})
		return err
	}
	if se := sendErr(t, send("day2", followup.ModeFreeText)); se.Class != followup.WindowClosed || se.Code != "10/2534022" {
		t.Errorf("free text after 25 h: %v", se)
	}
	if err := send("day2", followup.ModeHumanAgent); err != nil {
		t.Errorf("HUMAN_AGENT after 25 h: %v", err)
	}
	if se := sendErr(t, send("day8", followup.ModeHumanAgent)); se.Class != followup.WindowClosed {
		t.Errorf("HUMAN_AGENT after 8 days: %v", se)
	}
}

func TestFakeChecksTextLength(t *testing.T) {
	fake := instagramtest.New()
	defer fake.Close()
	_, err := newClient(t, fake, instagram.Config{}).Send(context.Background(), channels.Outbound{To: "I", Mode: followup.ModeFreeText, Text: strings.Repeat("a", 1001)})
	if se := sendErr(t, err); se.Class != followup.Permanent || se.Code != "100" {
		t.Errorf("%+v", se)
	}
}

func TestWrongToken(t *testing.T) {
	fake := instagramtest.New()
	defer fake.Close()
	_, err := newClient(t, fake, instagram.Config{Token: "wrong"}).Send(context.Background(), channels.Outbound{To: "I", Mode: followup.ModeFreeText, Text: "x"})
	if se := sendErr(t, err); se.Class != followup.Permanent || se.Code != "190" {
		t.Errorf("%+v", se)
	}
}

func TestTransportErrorIsRetried(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Close()
	c, _ := instagram.New(instagram.Config{BaseURL: srv.URL, Token: "t"}, nil)
	_, err := c.Send(context.Background(), channels.Outbound{To: "I", Mode: followup.ModeFreeText, Text: "x"})
	var se *followup.SendError
	if err == nil || (errors.As(err, &se) && se.Class != followup.Retryable) {
		t.Errorf("err = %v, want a retryable error", err)
	}
}
