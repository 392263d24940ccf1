package bot

import (
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// zoneTTL bounds how long an agent's Slack time zone is kept: a changed
// zone (a trip) is honoured within minutes, and a burst of commands asks
// Slack once.
const zoneTTL = 5 * time.Minute

// zoneRetry is how soon a zone Slack did not give is asked again; until
// then the agent's times are read in UTC.
const zoneRetry = 30 * time.Second

// cachedZone is an agent's time zone as users.info gave it.
type cachedZone struct {
	loc     *time.Location
	expires time.Time
}

// zone returns the time zone the agent set in Slack (users.info), in
// which the times they type ("tomorrow 9:00") are read; UTC when Slack
// does not say or does not answer in time, since a slash command must be
// acknowledged within 3 s.
func (b *Bot) zone(ctx context.Context, userID string) *time.Location {
	now := time.Now()
	b.mu.Lock()
	c, ok := b.zones[userID]
	b.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.loc
	}
	ctx, cancel := context.WithTimeout(ctx, 800*time.Millisecond)
	defer cancel()
	loc, ttl := time.UTC, zoneRetry
	u, err := b.slack.GetUserInfoContext(ctx, userID)
	if err != nil {
		b.log.Warn("slack: users.info, reading the agent's times in UTC", "user", userID, "err", err)
	} else {
		loc, ttl = userZone(u), zoneTTL
	}
	b.mu.Lock()
	if len(b.zones) > 10000 { // bounded: a workspace has far fewer agents
		clear(b.zones)
	}
	b.zones[userID] = cachedZone{loc: loc, expires: now.Add(ttl)}
	b.mu.Unlock()
	return loc
}

// userZone is u's time zone: its IANA name, else its offset from UTC
// (what Slack shows beside it), else UTC.
func userZone(u *slack.User) *time.Location {
	if u.TZ != "" {
		if loc, err := time.LoadLocation(u.TZ); err == nil {
			return loc
		}
	}
	if u.TZOffset != 0 {
		return time.FixedZone(u.TZLabel, u.TZOffset)
	}
	return time.UTC
}

// readsTimes reports whether the command text is of a verb that takes a
// time to send (later, and those with --at), so that only those wait on
// users.info.
func readsTimes(text string) bool {
	f := strings.Fields(text)
	if len(f) == 0 {
		return false
	}
	v := Verb(strings.ToLower(f[0]))
	spec, ok := specs[v]
	if !ok {
		return false
	}
	_, at := spec.flags["at"]
	return v == VerbLater || at
}
