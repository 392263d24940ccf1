package bot

import (
	"testing"
	"time"
)

// TestSlackDates: the UTC times the follow-up writes become Slack dates,
// each reader seeing their own zone, with the UTC text as the fallback.
func TestSlackDates(t *testing.T) {
	t.Parallel()
	near := time.Date(2026, 12, 30, 12, 0, 0, 0, time.UTC)
	tok := func(t time.Time) string { return slackDate(t) }
	jan2 := time.Date(2027, 1, 2, 9, 5, 0, 0, time.UTC)
	dec29 := time.Date(2026, 12, 29, 23, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{
		"Scheduled for Jan 2 09:05 UTC. A reply cancels it.": "Scheduled for " + tok(jan2) + ". A reply cancels it.",
		"sent Dec 29 23:00 UTC and Jan 2 09:05 UTC":          "sent " + tok(dec29) + " and " + tok(jan2),
		"at Dec 29 23:00, Jan 2 09:05 UTC.":                  "at " + tok(dec29) + ", " + tok(jan2) + ".",
		"Feb 29 10:00 UTC":                                   "Feb 29 10:00 UTC", // no such day near
		"order Jan 2 09:05 shipped":                          "order Jan 2 09:05 shipped",
		"Dec 32 10:00 UTC":                                   "Dec 32 10:00 UTC",
	} {
		if got := slackDates(in, near); got != want {
			t.Errorf("slackDates(%q)\n got %q\nwant %q", in, got, want)
		}
	}
	if got, want := slackDate(jan2), "<!date^1798880700^{date_short_pretty} {time}|Jan 2 09:05 UTC>"; got != want {
		t.Errorf("slackDate = %q, want %q", got, want)
	}
}
