package twilio_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/twilio"
	"github.com/followup-dev/followup/channels/twilio/twiliotest"
)

const (
	zoe      = "+33612345678"
	carlos   = "+34612345678"
	callback = "https://followup.example/webhooks/sms"
)

func config(fake *twiliotest.Server) twilio.Config {
	return twilio.Config{BaseURL: fake.URL(), AccountSID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken,
		From: twiliotest.From, StatusCallback: callback}
}

func newClient(t *testing.T) (*twilio.Client, *twiliotest.Server) {
	t.Helper()
	fake := channelstest.Start(t, twiliotest.New)
	return channelstest.Must(twilio.New(config(fake), nil))(t), fake
}

func sms(to, body string) channels.Outbound {
	return channels.Outbound{Channel: followup.SMS, To: to, Mode: followup.ModeFreeText, Text: body, IdempotencyKey: "k-" + to}
}

func TestNewNamesMissingCredential(t *testing.T) {
	for want, cfg := range map[string]twilio.Config{
		"account SID": {AuthToken: "t", From: "+1"},
		"auth token":  {AccountSID: "AC1", From: "+1"},
		"From":        {AccountSID: "AC1", AuthToken: "t"},
	} {
		_, err := twilio.New(cfg, nil)
		channelstest.ErrorNames(t, err, want)
	}
}

func TestSendSMS(t *testing.T) {
	c, fake := newClient(t)
	sent, err := c.Send(context.Background(), sms(zoe, "Hi Zoë, following up on #4821."))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sent.ProviderID, "SM") || len(sent.ProviderID) != 34 {
		t.Errorf("ProviderID = %q, want a message SID", sent.ProviderID)
	}
	r := channelstest.One(t, "requests", fake.Requests())
	if r.Method != http.MethodPost || r.Path != "/2010-04-01/Accounts/"+twiliotest.AccountSID+"/Messages.json" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
	if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
	}
	req := &http.Request{Header: r.Header}
	if u, p, ok := req.BasicAuth(); !ok || u != twiliotest.AccountSID || p != twiliotest.AuthToken {
		t.Errorf("basic auth = %q %q %v", u, p, ok)
	}
	f := r.Form
	if f.Get("To") != zoe || f.Get("From") != twiliotest.From || f.Get("Body") != "Hi Zoë, following up on #4821." ||
		f.Get("StatusCallback") != callback+"?ref="+channels.StatusRef("k-"+zoe) || f.Has("MessagingServiceSid") {
		t.Errorf("form = %v", f)
	}
}

// TestStatusCallbackCarriesReference: the per-message callback URL keeps
// the configured one's query and adds our reference; without a key, or
// without a configured URL, nothing is added.
func TestStatusCallbackCarriesReference(t *testing.T) {
	fake := channelstest.Start(t, twiliotest.New)
	cfg := config(fake)
	cfg.StatusCallback = callback + "?tenant=acme"
	c, err := twilio.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	key := "followup-contact-42/" + strings.Repeat("update-", 100)
	m := sms(zoe, "hello")
	m.IdempotencyKey = key
	if _, err := c.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	m.IdempotencyKey = ""
	if _, err := c.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	acc := fake.Accepted()
	if len(acc) != 2 {
		t.Fatalf("accepted %+v", acc)
	}
	u, err := url.Parse(acc[0].StatusCallback)
	if err != nil || u.Scheme+"://"+u.Host+u.Path != callback || u.Query().Get("tenant") != "acme" || u.Query().Get(twilio.RefParam) != channels.StatusRef(key) {
		t.Errorf("StatusCallback = %q, want %s with tenant=acme and ref=%s", acc[0].StatusCallback, callback, channels.StatusRef(key))
	}
	if acc[1].StatusCallback != callback+"?tenant=acme" {
		t.Errorf("without a key: StatusCallback = %q", acc[1].StatusCallback)
	}
	cfg.StatusCallback = "followup.example/webhooks/sms"
	if _, err := twilio.New(cfg, nil); err == nil {
		t.Error("a status callback without scheme accepted")
	}
}

func TestSendThroughMessagingService(t *testing.T) {
	fake := channelstest.Start(t, twiliotest.New)
	cfg := config(fake)
	cfg.From, cfg.MessagingServiceSID, cfg.StatusCallback = "", twiliotest.MessagingServiceSID, ""
	c, err := twilio.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(context.Background(), sms(zoe, "hello")); err != nil {
		t.Fatal(err)
	}
	f := fake.Requests()[0].Form
	if f.Get("MessagingServiceSid") != twiliotest.MessagingServiceSID || f.Has("From") || f.Has("StatusCallback") {
		t.Errorf("form = %v", f)
	}
}

func TestSendErrors(t *testing.T) {
	channelstest.Failures(t, []channelstest.Failure[twiliotest.Failure]{
		{Fail: twiliotest.Unsubscribed, Class: followup.RecipientGone, Code: "21610"},
		{Fail: twiliotest.InvalidNumber, Class: followup.Permanent, Code: "21211"},
		{Fail: twiliotest.NotMobile, Class: followup.Permanent, Code: "21614"},
		{Fail: twiliotest.TooManyRequests, Class: followup.Retryable, Code: "20429", RetryAfter: twiliotest.RetryAfterSeconds * time.Second},
		{Fail: twiliotest.ServerError, Class: followup.Retryable, Code: "20500"},
	}, func(t *testing.T, fail twiliotest.Failure) error {
		c, fake := newClient(t)
		fake.FailFor(zoe, fail)
		_, err := c.Send(context.Background(), sms(zoe, "x"))
		if _, err := c.Send(context.Background(), sms(carlos, "x")); err != nil {
			t.Errorf("other number: %v", err)
		}
		return err
	})
}

func TestSendRefusedByFakeValidation(t *testing.T) {
	c, fake := newClient(t)
	_, err := c.Send(context.Background(), sms("0612345678", "x"))
	channelstest.Refusal(t, err, followup.Permanent, "21211") // not E.164
	_, err = c.Send(context.Background(), sms(zoe, strings.Repeat("a", 1601)))
	channelstest.Refusal(t, err, followup.Permanent, "21617") // too long
	cfg := config(fake)
	cfg.AuthToken = "wrong"
	bad, _ := twilio.New(cfg, nil)
	_, err = bad.Send(context.Background(), sms(zoe, "x"))
	channelstest.Refusal(t, err, followup.Permanent, "20003")
}

func TestSendRefusesOtherModes(t *testing.T) {
	c, fake := newClient(t)
	channelstest.RefusesModes(t, c, sms(zoe, "x"), fake.Received, followup.ModeTemplate)
}

func TestSendTransportError(t *testing.T) {
	fake := twiliotest.New()
	cfg := config(fake)
	fake.Close()
	c, _ := twilio.New(cfg, nil)
	_, err := c.Send(context.Background(), sms(zoe, "x"))
	channelstest.Retried(t, err)
}
