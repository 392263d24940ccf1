package instagram_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/instagram"
	"github.com/followup-dev/followup/channels/instagram/instagramtest"
)

// What Instagram shares with Messenger and WhatsApp (sending, the app's
// handshake and signature, messages and postbacks) is tested in
// channels/meta; this is Instagram's own.

const target = "https://followup.example/webhooks/instagram"

// TestParseSeenAndEcho: a read names the mid it read; the echo of our own
// message, in the messages field, is no event.
func TestParseSeenAndEcho(t *testing.T) {
	fake := channelstest.Start(t, instagramtest.New)
	h := channelstest.Must(instagram.NewWebhook(instagramtest.AppSecret, instagramtest.VerifyToken))(t)
	at := time.UnixMilli(1700000000123).UTC()

	channelstest.Event(t, channelstest.ReceiveOne(t, h, fake.SignedSeen(target, "IGSID-1", "ig_out", at)), channels.Event{
		Channel: followup.Instagram, Kind: channels.Status, Status: followup.StatusRead, ExternalID: "IGSID-1", At: at,
		ProviderMessageID: "ig_out", DedupKey: "instagram:read:ig_out"})
	if echo := channelstest.Receive(t, h, fake.SignedEcho(target, "IGSID-1", "ig_out", "ours", at)); len(echo) != 0 {
		t.Errorf("echo produced events %+v", echo)
	}
}

func TestFakeChecksTextLength(t *testing.T) {
	fake := channelstest.Start(t, instagramtest.New)
	c := channelstest.Must(instagram.New(instagram.Config{BaseURL: fake.URL(), Token: instagramtest.Token}, nil))(t)
	_, err := c.Send(context.Background(), channels.Outbound{To: "I", Mode: followup.ModeFreeText, Text: strings.Repeat("a", 1001)})
	channelstest.Refusal(t, err, followup.Permanent, "100")
}
