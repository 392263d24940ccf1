package meta_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/instagram"
	"github.com/followup-dev/followup/channels/instagram/instagramtest"
	"github.com/followup-dev/followup/channels/messenger"
	"github.com/followup-dev/followup/channels/messenger/messengertest"
	"github.com/followup-dev/followup/channels/meta/metatest"
	"github.com/followup-dev/followup/channels/whatsapp"
)

func TestNewNamesMissingCredential(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{second(whatsapp.New(whatsapp.Config{Token: "t"}, nil)), "whatsapp: missing phone number id"},
		{second(whatsapp.New(whatsapp.Config{PhoneNumberID: "1"}, nil)), "whatsapp: missing access token"},
		{second(messenger.New(messenger.Config{}, nil)), "messenger: missing page access token"},
		{second(messenger.New(messenger.Config{PageToken: "t", FreeText: "MESSAGE_TAG"}, nil)), "free-text messaging type"},
		{second(instagram.New(instagram.Config{}, nil)), "instagram: missing access token"},
	} {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("err = %v, want %q", tt.err, tt.want)
		}
	}
}

func second[V any](_ V, err error) error { return err }

func TestSendModes(t *testing.T) {
	const text = "Hi Ada, following up on #4821."
	for _, tt := range []struct {
		name     string
		p        messaging
		client   func(base string) (channels.Sender, error)
		m        channels.Outbound
		path     string
		typ, tag string
		// metadata is the idempotency key Messenger echoes; Instagram
		// has no such field.
		metadata any
	}{
		{"free text is UPDATE by default", messengerMessaging, newMessenger(messenger.Config{PageID: messengertest.PageID}),
			channels.Outbound{Mode: followup.ModeFreeText}, "/v24.0/" + messengertest.PageID + "/messages", "UPDATE", "", "key-1"},
		{"free text as RESPONSE via /me", messengerMessaging, newMessenger(messenger.Config{FreeText: messenger.Response}),
			channels.Outbound{Mode: followup.ModeFreeText}, "/v24.0/me/messages", "RESPONSE", "", "key-1"},
		{"human agent", messengerMessaging, newMessenger(messenger.Config{}), channels.Outbound{Mode: followup.ModeHumanAgent}, "/v24.0/me/messages", "MESSAGE_TAG", "HUMAN_AGENT", "key-1"},
		{"human agent ignores a stray tag", messengerMessaging, newMessenger(messenger.Config{}),
			channels.Outbound{Mode: followup.ModeHumanAgent, Tag: followup.TagAccountUpdate}, "/v24.0/me/messages", "MESSAGE_TAG", "HUMAN_AGENT", "key-1"},
		{"account update", messengerMessaging, newMessenger(messenger.Config{}),
			channels.Outbound{Mode: followup.ModeMessageTag, Tag: followup.TagAccountUpdate}, "/v24.0/me/messages", "MESSAGE_TAG", "ACCOUNT_UPDATE", "key-1"},
		{"post purchase", messengerMessaging, newMessenger(messenger.Config{APIVersion: "v21.0"}),
			channels.Outbound{Mode: followup.ModeMessageTag, Tag: followup.TagPostPurchaseUpdate}, "/v21.0/me/messages", "MESSAGE_TAG", "POST_PURCHASE_UPDATE", "key-1"},
		{"free text", instagramMessaging, newInstagram(instagram.Config{AccountID: instagramtest.AccountID}),
			channels.Outbound{Mode: followup.ModeFreeText}, "/v24.0/" + instagramtest.AccountID + "/messages", "", "", nil},
		{"human agent via /me", instagramMessaging, newInstagram(instagram.Config{}),
			channels.Outbound{Mode: followup.ModeHumanAgent}, "/v24.0/me/messages", "MESSAGE_TAG", "HUMAN_AGENT", nil},
		{"HUMAN_AGENT picked as a tag", instagramMessaging, newInstagram(instagram.Config{APIVersion: "v22.0"}),
			channels.Outbound{Mode: followup.ModeMessageTag, Tag: followup.TagHumanAgent}, "/v22.0/me/messages", "MESSAGE_TAG", "HUMAN_AGENT", nil},
	} {
		t.Run(string(tt.p.channel)+" "+tt.name, func(t *testing.T) {
			p := tt.p
			fake := p.fake()
			defer fake.Close()
			m := tt.m
			m.To, m.Text, m.IdempotencyKey = "USER-1", text, "key-1"
			sent, err := channelstest.Must(tt.client(fake.URL()))(t).Send(context.Background(), m)
			if err != nil {
				t.Fatal(err)
			}
			acc := fake.Accepted()
			if len(acc) != 1 || sent.ProviderID != acc[0].MessageID {
				t.Fatalf("ProviderID %q, accepted %+v", sent.ProviderID, acc)
			}
			r := fake.Requests()[0]
			if r.Path != tt.path || r.Header.Get("Authorization") != "Bearer "+p.token {
				t.Errorf("path %s auth %q", r.Path, r.Header.Get("Authorization"))
			}
			b := r.Body
			msg := b["message"].(map[string]any)
			if b["recipient"].(map[string]any)["id"] != "USER-1" || msg["text"] != text || msg["metadata"] != tt.metadata {
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

func TestSendRefusedLocally(t *testing.T) {
	for _, p := range products {
		f := p.start()
		c := channelstest.Must(p.client(f.URL(), p.token))(t)
		for _, m := range map[followup.Channel][]channels.Outbound{
			followup.WhatsApp: {
				{To: "1", Mode: followup.ModeHumanAgent, Text: "x"},
				{To: "1", Mode: followup.ModeTemplate},
			},
			followup.Messenger: {
				{To: "P", Mode: followup.ModeMessageTag, Text: "x"},
				{To: "P", Mode: followup.ModeMessageTag, Tag: "ISSUE_RESOLUTION", Text: "x"},
				{To: "P", Mode: followup.ModeTemplate, Text: "x"},
			},
			followup.Instagram: {
				{To: "I", Mode: followup.ModeMessageTag, Tag: followup.TagAccountUpdate, Text: "x"},
				{To: "I", Mode: followup.ModeMessageTag, Tag: followup.TagConfirmedEventUpdate, Text: "x"},
				{To: "I", Mode: followup.ModeTemplate, Text: "x"},
			},
		}[p.channel] {
			_, err := c.Send(context.Background(), m)
			channelstest.Refusal(t, err, followup.Permanent, "")
		}
		_, err := c.Send(context.Background(), channels.Outbound{To: "", Mode: followup.ModeFreeText, Text: "x"})
		channelstest.Refusal(t, err, followup.Permanent, "no_recipient")
		if n := f.Received(); n != 0 {
			t.Errorf("%s: %d requests reached the provider", p.channel, n)
		}
		f.Close()
	}
}

// failure is what the product's fake answers a message in mode (with
// tag), its 4xx errors sent with status (400 when 0).
type failure struct {
	p       messaging
	outcome metatest.Outcome
	mode    followup.Mode
	tag     followup.Tag
	status  int
}

func TestSendErrors(t *testing.T) {
	msgr, ig := messengerMessaging, instagramMessaging
	fail := func(p messaging, o metatest.Outcome, mode followup.Mode) failure { return failure{p, o, mode, "", 0} }
	channelstest.Failures(t, []channelstest.Failure[failure]{
		{Name: "messenger window closed", Fail: fail(msgr, metatest.WindowClosed, followup.ModeFreeText), Class: followup.WindowClosed, Code: "10/2018278"},
		{Name: "messenger window closed as 403", Fail: failure{msgr, metatest.WindowClosed, followup.ModeHumanAgent, "", http.StatusForbidden}, Class: followup.WindowClosed, Code: "10/2018278"},
		{Name: "messenger blocked", Fail: fail(msgr, metatest.Blocked, followup.ModeFreeText), Class: followup.RecipientGone, Code: "551/1545041"},
		{Name: "messenger unknown user", Fail: fail(msgr, metatest.UnknownUser, followup.ModeFreeText), Class: followup.Permanent, Code: "100/2018001"},
		{Name: "messenger unknown user with a tag", Fail: failure{msgr, metatest.UnknownUser, followup.ModeMessageTag, followup.TagAccountUpdate, 0}, Class: followup.Permanent, Code: "100/2018001"},
		{Name: "messenger tag rejected", Fail: failure{msgr, metatest.TagRejected, followup.ModeMessageTag, followup.TagAccountUpdate, 0}, Class: followup.WindowClosed, Code: "100"},
		{Name: "messenger page restricted", Fail: fail(msgr, metatest.PageRestricted, followup.ModeFreeText), Class: followup.Permanent, Code: "10/1893063"},
		{Name: "messenger rate limited", Fail: fail(msgr, metatest.RateLimited, followup.ModeFreeText), Class: followup.Retryable, Code: "613"},
		{Name: "messenger HTTP 429", Fail: fail(msgr, metatest.TooManyRequests, followup.ModeFreeText), Class: followup.Retryable, Code: "4", RetryAfter: messengertest.RetryAfterSeconds * time.Second},
		{Name: "messenger server error", Fail: fail(msgr, metatest.ServerError, followup.ModeFreeText), Class: followup.Retryable, Code: "2"},
		{Name: "messenger token expired", Fail: fail(msgr, metatest.TokenExpired, followup.ModeFreeText), Class: followup.Permanent, Code: "190/463"},
		{Name: "instagram window closed", Fail: fail(ig, metatest.WindowClosed, followup.ModeHumanAgent), Class: followup.WindowClosed, Code: "10/2534022"},
		{Name: "instagram window closed as 403", Fail: failure{ig, metatest.WindowClosed, followup.ModeHumanAgent, "", http.StatusForbidden}, Class: followup.WindowClosed, Code: "10/2534022"},
		{Name: "instagram blocked", Fail: fail(ig, metatest.Blocked, followup.ModeHumanAgent), Class: followup.RecipientGone, Code: "551/1545041"},
		{Name: "instagram unknown user", Fail: fail(ig, metatest.UnknownUser, followup.ModeHumanAgent), Class: followup.Permanent, Code: "100/2534014"},
		{Name: "instagram rate limited", Fail: fail(ig, metatest.RateLimited, followup.ModeHumanAgent), Class: followup.Retryable, Code: "613"},
		{Name: "instagram HTTP 429", Fail: fail(ig, metatest.TooManyRequests, followup.ModeHumanAgent), Class: followup.Retryable, Code: "4", RetryAfter: instagramtest.RetryAfterSeconds * time.Second},
		{Name: "instagram server error", Fail: fail(ig, metatest.ServerError, followup.ModeHumanAgent), Class: followup.Retryable, Code: "2"},
		{Name: "instagram token expired", Fail: fail(ig, metatest.TokenExpired, followup.ModeHumanAgent), Class: followup.Permanent, Code: "190/463"},
	}, func(t *testing.T, f failure) error {
		fake := channelstest.Start(t, f.p.fake)
		if f.status != 0 {
			fake.SetErrorStatus(f.status)
		}
		fake.FailFor("USER-1", f.outcome)
		c := channelstest.Must(f.p.client(fake.URL(), f.p.token))(t)
		_, err := c.Send(context.Background(), channels.Outbound{To: "USER-1", Mode: f.mode, Tag: f.tag, Text: "hello"})
		return err
	})
}

func TestWindowFromLastInbound(t *testing.T) {
	for _, p := range messagingProducts {
		fake := p.fake()
		now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
		fake.SetNow(func() time.Time { return now })
		fake.LastInbound("day2", now.Add(-25*time.Hour))
		fake.LastInbound("day8", now.Add(-8*24*time.Hour))
		c := channelstest.Must(p.client(fake.URL(), p.token))(t)
		for _, tt := range []struct {
			to   string
			mode followup.Mode
			tag  followup.Tag
			// closed: refused with the product's window code.
			closed bool
		}{
			{"day2", followup.ModeFreeText, "", true},
			{"day2", followup.ModeHumanAgent, "", false},
			{"day8", followup.ModeHumanAgent, "", true},
			// Messenger's other tags are not bound to the window.
			{"day8", followup.ModeMessageTag, followup.TagConfirmedEventUpdate, false},
		} {
			if p.channel == followup.Instagram && tt.tag != "" {
				continue // Instagram has no other tag
			}
			_, err := c.Send(context.Background(), channels.Outbound{To: tt.to, Mode: tt.mode, Tag: tt.tag, Text: "x"})
			switch {
			case tt.closed:
				channelstest.Refusal(t, err, followup.WindowClosed, p.windowCode)
			case err != nil:
				t.Errorf("%s %s %s %s: %v", p.channel, tt.to, tt.mode, tt.tag, err)
			}
		}
		fake.Close()
	}
}

func TestParseMessage(t *testing.T) {
	for _, p := range messagingProducts {
		at := time.UnixMilli(1458692752478).UTC()
		channelstest.Event(t, channelstest.ReceiveOne(t, channelstest.Must(p.webhook(p.appSecret, p.verifyToken))(t), p.message("USER-1", "m_1", "hello", at)), channels.Event{
			Channel: p.channel, Kind: channels.Message, ExternalID: "USER-1", Text: "hello",
			At: at, ProviderMessageID: "m_1", DedupKey: string(p.channel) + ":message:m_1"})
	}
}

func TestParsePostbackSkipsEchoesAndUnknown(t *testing.T) {
	for _, p := range messagingProducts {
		body := `{"object":"` + p.object + `","entry":[{"id":"1","time":1,"messaging":[
		{"sender":{"id":"PAGE"},"recipient":{"id":"USER"},"timestamp":1,"message":{"mid":"m_echo","text":"ours","is_echo":true}},
		{"sender":{"id":"USER"},"recipient":{"id":"PAGE"},"timestamp":1,"reaction":{"mid":"m_x","action":"react"}},
		{"sender":{"id":"USER"},"recipient":{"id":"PAGE"},"timestamp":1500000000000,"postback":{"mid":"m_pb","title":"Reopen","payload":"REOPEN"}},
		{"sender":{"id":"USER"},"recipient":{"id":"PAGE"},"timestamp":1500000000001,"postback":{"title":"Again","payload":"REOPEN"}}]}]}`
		events, err := channelstest.Must(p.webhook(p.appSecret, p.verifyToken))(t).Parse(nil, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[0].Kind != channels.Message || events[0].Text != "Reopen" || events[0].DedupKey != string(p.channel)+":postback:m_pb" ||
			events[1].DedupKey != string(p.channel)+":postback:USER:1500000000001" {
			t.Errorf("%s: events = %+v", p.channel, events)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	for i, p := range messagingProducts {
		object, other := p.object, messagingProducts[1-i].object
		channelstest.Rejects(t, channelstest.Must(p.webhook(p.appSecret, p.verifyToken))(t), ``, `{`, `[]`, `{"object":"`+other+`","entry":[]}`,
			`{"object":"`+object+`","entry":[{"messaging":[{"sender":{"id":"P"},"message":{"text":"no mid"}}]}]}`,
			`{"object":"`+object+`","entry":[{"messaging":[{"sender":{"id":"P"},"timestamp":"soon","message":{"mid":"m"}}]}]}`,
			`{"object":"`+object+`","entry":[{"messaging":[{"postback":{"title":"no sender"}}]}]}`)
	}
}

// FuzzMessagingParse fuzzes the Messenger Platform webhook of both
// products.
func FuzzMessagingParse(f *testing.F) {
	msgr, ig := messengertest.New(), instagramtest.New()
	defer msgr.Close()
	defer ig.Close()
	at := time.Unix(1, 0)
	for _, r := range []*http.Request{
		msgr.SignedMessage(target, messengertest.Inbound{PSID: "P", Mid: "m", Text: "hi", At: at}),
		msgr.SignedDelivery(target, "P", []string{"m"}, at),
		msgr.SignedRead(target, "P", at),
		ig.SignedMessage(target, instagramtest.Inbound{IGSID: "I", Mid: "m", Text: "hi", At: at}),
		ig.SignedSeen(target, "I", "m", at),
		ig.SignedEcho(target, "I", "m", "x", at),
	} {
		f.Add(channelstest.Body(f, r))
	}
	var hooks []channels.Webhook
	for _, p := range messagingProducts {
		hooks = append(hooks, channelstest.Must(p.webhook(p.appSecret, p.verifyToken))(f))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for i, h := range hooks {
			events, err := h.Parse(nil, body)
			if err != nil && events != nil {
				t.Error("events with an error")
			}
			for _, e := range events {
				if e.DedupKey == "" || e.Channel != messagingProducts[i].channel {
					t.Errorf("event %+v", e)
				}
			}
		}
	})
}
