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
	fake := instagramtest.New()
	defer fake.Close()
	h := channelstest.Must(instagram.NewWebhook(instagramtest.AppSecret, instagramtest.VerifyToken))(t)
	at := time.UnixMilli(1700000000123).UTC()

	seen := channelstest.Receive(t, h, fake.SignedSeen(target, "IGSID-1", "ig_out", at))
	if len(seen) != 1 || seen[0].Kind != channels.Status || seen[0].Status != followup.StatusRead || seen[0].ProviderMessageID != "ig_out" ||
		seen[0].DedupKey != "instagram:read:ig_out" || !seen[0].At.Equal(at) || seen[0].ExternalID != "IGSID-1" {
		t.Errorf("seen = %+v", seen)
	}
	if echo := channelstest.Receive(t, h, fake.SignedEcho(target, "IGSID-1", "ig_out", "ours", at)); len(echo) != 0 {
		t.Errorf("echo produced events %+v", echo)
	}
}

func TestFakeChecksTextLength(t *testing.T) {
	fake := instagramtest.New()
	defer fake.Close()
	c := channelstest.Must(instagram.New(instagram.Config{BaseURL: fake.URL(), Token: instagramtest.Token}, nil))(t)
	_, err := c.Send(context.Background(), channels.Outbound{To: "I", Mode: followup.ModeFreeText, Text: strings.Repeat("a", 1001)})
	channelstest.Refusal(t, err, followup.Permanent, "100")
}
