package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta"
)

// Webhook verifies and reads the Cloud API's webhooks for one Meta app.
type Webhook struct {
	meta.App
}

// NewWebhook returns the webhook of the app whose secret signs the events
// and whose verify token answers the subscription handshake.
func NewWebhook(appSecret, verifyToken string) (*Webhook, error) {
	app, err := meta.NewApp("whatsapp", appSecret, verifyToken)
	if err != nil {
		return nil, err
	}
	return &Webhook{App: app}, nil
}

var _ channels.Webhook = (*Webhook)(nil)

type payload struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string `json:"field"`
			Value value  `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type value struct {
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	} `json:"contacts"`
	Messages []struct {
		From      string `json:"from"`
		ID        string `json:"id"`
		Timestamp string `json:"timestamp"`
		Type      string `json:"type"`
		Text      *struct {
			Body string `json:"body"`
		} `json:"text"`
		Button *struct {
			Text string `json:"text"`
		} `json:"button"`
	} `json:"messages"`
	Statuses []struct {
		ID          string       `json:"id"`
		Status      string       `json:"status"`
		Timestamp   string       `json:"timestamp"`
		RecipientID string       `json:"recipient_id"`
		Errors      []meta.Error `json:"errors"`
		// BizOpaqueCallbackData is what we sent with the message: our
		// reference for it (channels.StatusRef).
		BizOpaqueCallbackData string `json:"biz_opaque_callback_data"`
	} `json:"statuses"`
}

// Parse reads inbound messages and the statuses of our messages. Any
// inbound message restarts the window, so media and button replies are
// events too (their text is "[type]" or the button's label). Status kinds
// other than sent/delivered/read/failed (deleted, warning) and other
// webhook fields are skipped. A status carries the
// biz_opaque_callback_data we sent as its Ref. A failed status carries its first error,
// classified as a send error: an asynchronous 131047 is WindowClosed.
func (h *Webhook) Parse(_ *http.Request, body []byte) ([]channels.Event, error) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("whatsapp webhook: %w", err)
	}
	if p.Object != "whatsapp_business_account" {
		return nil, fmt.Errorf("whatsapp webhook: object %q is not whatsapp_business_account", p.Object)
	}
	var events []channels.Event
	for _, entry := range p.Entry {
		for _, ch := range entry.Changes {
			if ch.Field != "messages" {
				continue
			}
			v := ch.Value
			names := map[string]string{}
			for _, c := range v.Contacts {
				names[c.WaID] = c.Profile.Name
			}
			for _, m := range v.Messages {
				if m.ID == "" || m.From == "" {
					return nil, errors.New("whatsapp webhook: message without id or sender")
				}
				at, err := unix(m.Timestamp)
				if err != nil {
					return nil, err
				}
				text := "[" + m.Type + "]"
				switch {
				case m.Text != nil:
					text = m.Text.Body
				case m.Button != nil:
					text = m.Button.Text
				}
				events = append(events, channels.Event{
					Channel: followup.WhatsApp, Kind: channels.Message,
					ExternalID: m.From, Name: names[m.From], Text: text, At: at,
					ProviderMessageID: m.ID, DedupKey: "whatsapp:message:" + m.ID,
				})
			}
			for _, s := range v.Statuses {
				var status followup.MessageStatus
				switch s.Status {
				case "sent":
					status = followup.StatusSent
				case "delivered":
					status = followup.StatusDelivered
				case "read":
					status = followup.StatusRead
				case "failed":
					status = followup.StatusFailed
				default:
					continue
				}
				if s.ID == "" {
					return nil, errors.New("whatsapp webhook: status without message id")
				}
				at, err := unix(s.Timestamp)
				if err != nil {
					return nil, err
				}
				e := channels.Event{
					Channel: followup.WhatsApp, Kind: channels.Status,
					ExternalID: s.RecipientID, At: at, ProviderMessageID: s.ID, Status: status,
					Ref: s.BizOpaqueCallbackData,
					// Meta sends each status once per message but retries
					// the webhook; the status kind is part of the key so
					// delivered after sent is not mistaken for a repeat.
					DedupKey: "whatsapp:status:" + s.ID + ":" + s.Status,
				}
				if status == followup.StatusFailed {
					e.Err = failure(s.Errors)
				}
				events = append(events, e)
			}
		}
	}
	return events, nil
}

// failure classifies a failed status's first error like a send error.
func failure(errs []meta.Error) *followup.SendError {
	if len(errs) == 0 {
		// A failure without a reason is still undeliverable; nothing says
		// a retry would help.
		return &followup.SendError{Class: followup.Permanent, Code: "unknown", Message: "WhatsApp reported the message failed without a reason"}
	}
	e := errs[0]
	msg := e.Text()
	if msg == "" {
		msg = "WhatsApp error " + e.CodeString()
	}
	return &followup.SendError{Class: meta.Classify(&e, classify), Code: e.CodeString(), Message: msg}
}

// unix reads the Cloud API's timestamps: Unix seconds as a decimal string.
func unix(s string) (time.Time, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("whatsapp webhook: timestamp %q: %w", s, err)
	}
	return time.Unix(n, 0).UTC(), nil
}
