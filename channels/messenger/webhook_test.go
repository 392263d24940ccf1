package messenger_test

import (
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/messenger"
	"github.com/followup-dev/followup/channels/messenger/messengertest"
)

// What Messenger shares with Instagram and WhatsApp (sending, the app's
// handshake and signature, messages and postbacks) is tested in
// channels/meta; this is Messenger's own.

const target = "https://followup.example/webhooks/messenger"

// TestParseDeliveryAndRead: a delivery names its mids, one event each, or
// only a watermark; a read is a watermark.
func TestParseDeliveryAndRead(t *testing.T) {
	fake := channelstest.Start(t, messengertest.New)
	h := channelstest.Must(messenger.NewWebhook(messengertest.AppSecret, messengertest.VerifyToken))(t)
	wm := time.UnixMilli(1458668856253).UTC()

	events := channelstest.Receive(t, h, fake.SignedDelivery(target, "PSID-1", []string{"m_a", "m_b"}, wm))
	if len(events) != 2 {
		t.Fatalf("events = %+v", events)
	}
	for i, mid := range []string{"m_a", "m_b"} {
		e := events[i]
		if e.Kind != channels.Status || e.Status != followup.StatusDelivered || e.ProviderMessageID != mid || e.ExternalID != "PSID-1" || !e.At.Equal(wm) {
			t.Errorf("delivery %d = %+v", i, e)
		}
	}
	if events[0].DedupKey == events[1].DedupKey {
		t.Error("two mids share a dedup key")
	}

	delivered := channelstest.ReceiveOne(t, h, fake.SignedDelivery(target, "PSID-1", nil, wm))
	if delivered.Status != followup.StatusDelivered || delivered.ProviderMessageID != "" || !delivered.At.Equal(wm) {
		t.Errorf("watermark-only delivery = %+v", delivered)
	}

	read := channelstest.ReceiveOne(t, h, fake.SignedRead(target, "PSID-1", wm))
	if read.Status != followup.StatusRead || !read.At.Equal(wm) || read.DedupKey == delivered.DedupKey {
		t.Errorf("read = %+v", read)
	}
}
