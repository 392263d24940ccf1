package workflows

import (
	"strings"
	"testing"

	"github.com/followup-dev/followup"
)

// TestAttemptsInWords: status shows attempts as agents read them, never
// an internal code or a trailing space.
func TestAttemptsInWords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a    Attempt
		want string
	}{
		{Attempt{Outcome: OutcomeSent, Mode: followup.ModeFreeText}, "sent as free text"},
		{Attempt{Outcome: OutcomeSent, Mode: followup.ModeMessageTag, Tag: followup.TagPostPurchaseUpdate}, "sent as a message with the POST_PURCHASE_UPDATE tag"},
		{Attempt{Outcome: OutcomeRefused, Reason: "load_failed"}, "refused: the contact's state could not be read"},
		{Attempt{Outcome: OutcomeRefused, Reason: "window_closed_template_required"}, "refused: the window is closed: only an approved template may be sent"},
		{Attempt{Outcome: OutcomeUndeliverable, Reason: "RecipientGone"}, "not delivered: the customer cannot be reached there any more"},
		{Attempt{Outcome: OutcomeRefused, Reason: "something_new"}, "refused: something new"},
	}
	for _, tc := range cases {
		got := tc.a.Describe()
		if got != tc.want || strings.TrimSpace(got) != got || strings.Contains(got, "_") && !strings.Contains(got, "_UPDATE") {
			t.Errorf("%+v: %q, want %q", tc.a, got, tc.want)
		}
	}
}
