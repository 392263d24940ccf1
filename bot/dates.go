package bot

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// utcLayout is how times read in plain text (the CLI, notification texts
// the follow-up writes, and the fallback of a Slack date).
const utcLayout = "Jan 2 15:04 UTC"

// slackDate writes t for Slack's mrkdwn so that each reader sees it in their
// own time zone (Slack: "Formatting text for app surfaces", date
// formatting); a client that cannot render it shows the UTC text.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format(utcLayout))
}

// utcStamps matches times written in utcLayout, alone or as a list that
// names the zone once at its end ("at Dec 2 16:59, Dec 5 16:59 UTC").
var (
	utcStamps = regexp.MustCompile(`\b(?:` + stamp + `, )*` + stamp + ` UTC\b`)
	utcStamp  = regexp.MustCompile(stamp)
)

const stamp = `(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?:[1-9]|[12][0-9]|3[01]) (?:[01][0-9]|2[0-3]):[0-5][0-9]`

// slackDates turns the times written in utcLayout in s (texts the
// follow-up wrote, stored as plain text for the CLI too) into Slack dates.
// The layout has no year: it is the one that puts the time nearest near,
// since those texts speak of the days around when they are shown. s must
// already be escaped, as the tokens must not be.
func slackDates(s string, near time.Time) string {
	return utcStamps.ReplaceAllStringFunc(s, func(list string) string {
		return utcStamp.ReplaceAllStringFunc(strings.TrimSuffix(list, " UTC"), func(m string) string {
			t, err := time.Parse("Jan 2 15:04", m)
			if err != nil {
				return m
			}
			var best time.Time
			for y := near.Year() - 1; y <= near.Year()+1; y++ {
				c := time.Date(y, t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
				if c.Day() != t.Day() { // Feb 29 of a common year
					continue
				}
				if best.IsZero() || c.Sub(near).Abs() < best.Sub(near).Abs() {
					best = c
				}
			}
			if best.IsZero() {
				return m + " UTC"
			}
			return slackDate(best)
		})
	})
}
