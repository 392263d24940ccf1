package meta_test

import (
	"net/http"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/instagram"
	"github.com/followup-dev/followup/channels/instagram/instagramtest"
	"github.com/followup-dev/followup/channels/messenger"
	"github.com/followup-dev/followup/channels/messenger/messengertest"
	"github.com/followup-dev/followup/channels/meta/metatest"
	"github.com/followup-dev/followup/channels/whatsapp"
	"github.com/followup-dev/followup/channels/whatsapp/whatsapptest"
)

// product is one of Meta's three messaging products as these tests drive
// it: what they share (the Graph call, the app's webhook) is tested once
// for all three, through each product's own adapter and fake.
type product struct {
	channel                followup.Channel
	token                  string
	appSecret, verifyToken string
	// client is the adapter at base with token.
	client  func(base, token string) (channels.Sender, error)
	webhook func(appSecret, verifyToken string) (channels.Webhook, error)
	// start starts the product's fake; to is a customer it takes
	// messages to.
	start func() server
	to    string
	// message is the signed webhook of a customer's message.
	message func(user, mid, text string, at time.Time) *http.Request
}

// server is a product's fake as a test uses it.
type server interface {
	URL() string
	Received() int
	Close()
}

// out is a message the product's fake accepts.
func (p product) out() channels.Outbound {
	return channels.Outbound{To: p.to, Mode: followup.ModeFreeText, Text: "x"}
}

const target = "https://followup.example/webhooks/meta"

var (
	whatsappProduct = product{
		channel: followup.WhatsApp, token: whatsapptest.Token, appSecret: whatsapptest.AppSecret, verifyToken: whatsapptest.VerifyToken,
		client: func(base, token string) (channels.Sender, error) {
			return whatsapp.New(whatsapp.Config{BaseURL: base, PhoneNumberID: whatsapptest.PhoneNumberID, Token: token}, nil)
		},
		webhook: func(s, v string) (channels.Webhook, error) { return whatsapp.NewWebhook(s, v) },
		start:   func() server { return whatsapptest.New() },
		to:      "16505551234",
		message: func(user, mid, text string, at time.Time) *http.Request {
			return whatsapptest.SignedRaw(target, whatsapptest.MessageBody(whatsapptest.Inbound{From: user, ID: mid, Text: text, At: at}))
		},
	}
	messengerProduct = product{
		channel: followup.Messenger, token: messengertest.PageToken, appSecret: messengertest.AppSecret, verifyToken: messengertest.VerifyToken,
		client: func(base, token string) (channels.Sender, error) {
			return newMessenger(messenger.Config{PageToken: token})(base)
		},
		webhook: func(s, v string) (channels.Webhook, error) { return messenger.NewWebhook(s, v) },
		start:   func() server { return messengertest.New() },
		to:      "PSID-1",
		message: func(user, mid, text string, at time.Time) *http.Request {
			return messengertest.SignedRaw(target, messengertest.MessageBody(messengertest.Inbound{PSID: user, Mid: mid, Text: text, At: at}))
		},
	}
	instagramProduct = product{
		channel: followup.Instagram, token: instagramtest.Token, appSecret: instagramtest.AppSecret, verifyToken: instagramtest.VerifyToken,
		client: func(base, token string) (channels.Sender, error) {
			return newInstagram(instagram.Config{Token: token})(base)
		},
		webhook: func(s, v string) (channels.Webhook, error) { return instagram.NewWebhook(s, v) },
		start:   func() server { return instagramtest.New() },
		to:      "IGSID-1",
		message: func(user, mid, text string, at time.Time) *http.Request {
			return instagramtest.SignedRaw(target, instagramtest.MessageBody(instagramtest.Inbound{IGSID: user, Mid: mid, Text: text, At: at}))
		},
	}
	products = []product{whatsappProduct, messengerProduct, instagramProduct}
)

// newMessenger is a Messenger client with cfg at a base URL (the fake's
// token when cfg has none).
func newMessenger(cfg messenger.Config) func(base string) (channels.Sender, error) {
	return func(base string) (channels.Sender, error) {
		cfg.BaseURL = base
		if cfg.PageToken == "" {
			cfg.PageToken = messengertest.PageToken
		}
		return messenger.New(cfg, nil)
	}
}

// newInstagram is an Instagram client with cfg at a base URL (the fake's
// token when cfg has none).
func newInstagram(cfg instagram.Config) func(base string) (channels.Sender, error) {
	return func(base string) (channels.Sender, error) {
		cfg.BaseURL = base
		if cfg.Token == "" {
			cfg.Token = instagramtest.Token
		}
		return instagram.New(cfg, nil)
	}
}

// messaging is a Messenger Platform product (Messenger, Instagram) with
// its fake Send API and its codes.
type messaging struct {
	product
	fake func() *metatest.Messaging
	// object is the webhook payload's "object".
	object     string
	windowCode string
}

var (
	messengerMessaging = messaging{product: messengerProduct, fake: func() *metatest.Messaging { return messengertest.New().Messaging },
		object: "page", windowCode: "10/2018278"}
	instagramMessaging = messaging{product: instagramProduct, fake: func() *metatest.Messaging { return instagramtest.New().Messaging },
		object: "instagram", windowCode: "10/2534022"}
	messagingProducts = []messaging{messengerMessaging, instagramMessaging}
)
