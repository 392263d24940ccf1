package actions

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/workflows"
)

// digestLimit bounds the running follow-ups a digest reads from
// visibility.
const digestLimit = 10_000

// Digest builds the daily digest as of now, its days in the workspace's
// digest time zone: running follow-ups (Temporal's visibility), windows
// closing before midnight, VIP follow-ups overdue (window closed, nothing
// sent since: what App Home marks overdue, less those an agent already
// answered with a template or tag), VIP follow-ups escalated to the
// supervisors and not cleared, and yesterday's outbound messages per
// channel.
func (s *Service) Digest(ctx context.Context) (followup.Digest, error) {
	now := s.now()
	set, err := s.st.Settings(ctx)
	if err != nil {
		return followup.Digest{}, err
	}
	loc, err := time.LoadLocation(set.DigestTimeZone)
	if err != nil {
		return followup.Digest{}, fmt.Errorf("digest time zone %q: %w", set.DigestTimeZone, err)
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	tomorrow, yesterday := today.AddDate(0, 0, 1), today.AddDate(0, 0, -1)
	d := followup.Digest{Date: today.Format(time.DateOnly), TimeZone: loc.String(), At: now,
		RunningByAgent: []followup.AgentCount{}, ClosingToday: []followup.DigestItem{}, OverdueVIP: []followup.DigestItem{},
		EscalatedVIP: []followup.DigestItem{}}

	fs, err := s.fc.List(ctx, workflows.ListFilter{Limit: digestLimit})
	if err != nil {
		return d, err
	}
	SortOverdueFirst(fs)
	d.Running = len(fs)
	perAgent := map[string]int{}
	for _, f := range fs {
		perAgent[f.Agent]++
		closes := f.WindowClosesAt
		switch {
		case closes.IsZero():
		case closes.After(now) && closes.Before(tomorrow):
			d.ClosingToday = append(d.ClosingToday, s.digestItem(ctx, f))
		case !closes.After(now) && f.VIP:
			sent, err := s.st.OutboundSince(ctx, f.ContactID, f.Channel, closes, "")
			if err != nil {
				return d, err
			}
			if sent == 0 {
				d.OverdueVIP = append(d.OverdueVIP, s.digestItem(ctx, f))
			}
		}
	}
	// Escalated: posted to the supervisors and not cleared yet, oldest first.
	open, err := s.st.OpenEscalations(ctx)
	if err != nil {
		return d, err
	}
	running := make(map[string]workflows.Summary, len(fs))
	for _, f := range fs {
		running[workflows.WorkflowID(f.ContactID, f.Channel)] = f
	}
	for _, e := range open {
		f, ok := running[workflows.WorkflowID(e.ContactID, e.Channel)]
		if !ok {
			f = workflows.Summary{ContactID: e.ContactID, Channel: e.Channel, VIP: true}
		}
		it := s.digestItem(ctx, f)
		it.Escalation = string(e.Trigger)
		d.EscalatedVIP = append(d.EscalatedVIP, it)
	}
	for a, n := range perAgent {
		d.RunningByAgent = append(d.RunningByAgent, followup.AgentCount{Agent: a, Count: n})
	}
	sort.Slice(d.RunningByAgent, func(i, j int) bool {
		a, b := d.RunningByAgent[i], d.RunningByAgent[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Agent < b.Agent
	})
	if d.Yesterday, err = s.st.ChannelCounts(ctx, yesterday, today); err != nil {
		return d, err
	}
	return d, nil
}

// digestItem names a follow-up's contact; one that cannot be read is
// named by its id.
func (s *Service) digestItem(ctx context.Context, f workflows.Summary) followup.DigestItem {
	it := followup.DigestItem{ContactID: f.ContactID, Contact: fmt.Sprintf("contact #%d", f.ContactID), Channel: f.Channel,
		Agent: f.Agent, VIP: f.VIP, WindowClosesAt: f.WindowClosesAt}
	if c, err := s.st.Contact(ctx, f.ContactID); err == nil {
		it.Contact = c.FullName()
	}
	return it
}
