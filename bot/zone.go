package bot

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup/i18n"
)

// zoneTTL bounds how long an agent's Slack time zone and language are
// kept: a changed zone (a trip) or language is honoured within minutes,
// and a burst of commands asks Slack once.
const zoneTTL = 5 * time.Minute

// zoneRetry is how soon a profile Slack did not give is asked again; until
// then the agent's times are read in UTC, and answered in English.
const zoneRetry = 30 * time.Second

// profile is what the bot keeps of an agent's Slack profile: the time
// zone in which the times they type are read, and the language they read.
type profile struct {
	loc  *time.Location
	lang i18n.Lang
}

// cachedProfile is a profile as users.info gave it, until expires.
type cachedProfile struct {
	profile
	expires    time.Time
	refreshing bool // a users.info call to renew it is under way
}

// profiles asks Slack (users.info, with include_locale) for agents' time
// zones and languages, one call for both, and keeps the answers.
type profiles struct {
	slack Slack
	log   *slog.Logger

	mu sync.Mutex
	m  map[string]cachedProfile // by Slack user id
}

func newProfiles(api Slack, log *slog.Logger) *profiles {
	return &profiles{slack: api, log: log, m: map[string]cachedProfile{}}
}

// get returns the agent's profile: the one kept while it is fresh; one
// kept but expired while it is renewed in the background, so that no
// answer waits on Slack for an agent already seen; else what users.info
// says now, or UTC and English when Slack does not say or does not
// answer in time (a slash command must be acknowledged within 3 s).
func (ps *profiles) get(ctx context.Context, userID string) profile {
	now := time.Now()
	ps.mu.Lock()
	c, ok := ps.m[userID]
	stale := ok && !now.Before(c.expires) && !c.refreshing
	if stale {
		c.refreshing = true
		ps.m[userID] = c
	}
	ps.mu.Unlock()
	switch {
	case stale:
		go func() { // bounded, and it only renews the cache
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			ps.fetch(ctx, userID)
		}()
		return c.profile
	case ok:
		return c.profile
	}
	return ps.fetch(ctx, userID)
}

// fetch asks users.info for the agent's profile and keeps the answer.
func (ps *profiles) fetch(ctx context.Context, userID string) profile {
	ctx, cancel := context.WithTimeout(ctx, 800*time.Millisecond)
	defer cancel()
	p, ttl := profile{loc: time.UTC, lang: i18n.English}, zoneRetry
	u, err := ps.slack.GetUserInfoContext(ctx, userID, slack.GetUserInfoOptionIncludeLocale(true))
	if err != nil {
		ps.log.Warn("slack: users.info, reading the agent's times in UTC and answering in English", "user", userID, "err", err)
	} else {
		p, ttl = profile{loc: userZone(u), lang: i18n.ParseLocale(u.Locale)}, zoneTTL
	}
	ps.mu.Lock()
	if len(ps.m) > 10000 { // bounded: a workspace has far fewer agents
		clear(ps.m)
	}
	ps.m[userID] = cachedProfile{profile: p, expires: time.Now().Add(ttl)}
	ps.mu.Unlock()
	return p
}

// zone returns the time zone the agent set in Slack (users.info), in
// which the times they type ("tomorrow 9:00") are read; UTC when Slack
// does not say or does not answer in time.
func (b *Bot) zone(ctx context.Context, userID string) *time.Location {
	return b.profiles.get(ctx, userID).loc
}

// printer writes in the language the agent reads Slack in (users.info's
// locale); English when Slack does not say or does not answer in time.
func (b *Bot) printer(ctx context.Context, userID string) i18n.Printer {
	return i18n.New(b.profiles.get(ctx, userID).lang)
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
// time to send (later, and those with --at), read in the agent's zone.
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
